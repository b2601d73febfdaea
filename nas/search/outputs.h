// What a run leaves besides its journal: pareto.csv, best/arch.yaml,
// summary.json, and the table printed at the end. All files are written
// atomically (temporary file, fsync, rename).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/search/candidate_record.h"
#include "nas/search/engine.h"
#include "nas/search/scoring.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::search {

// The ranking every output shares.
struct RunSummary {
  // Indices into the history of the feasible candidates not dominated on the
  // experiment's objectives, best scalar first (ties: lower id).
  std::vector<size_t> pareto;
  // The feasible candidate with the highest scalar (ties: lower id).
  std::optional<size_t> best;
  int64_t feasible = 0, failed = 0, skipped = 0;
};

RunSummary summarize(const std::vector<CandidateRecord>& history, const Scorer& scorer);

// pareto.csv: rank, id, arch, scalar, the objectives' metrics, then every
// other metric of the front's candidates (sorted by name); one row per
// front member in RunSummary::pareto order. Numbers are the shortest text
// that reads back as the same double; a missing metric is an empty cell.
std::string pareto_csv(const std::vector<CandidateRecord>& history, const RunSummary& summary,
                       const Scorer& scorer);

// Writes pareto.csv, summary.json and (when a feasible candidate exists)
// best/arch.yaml, decoded from the best candidate's genotype, into run_dir.
Status write_outputs(const std::filesystem::path& run_dir, const config::Experiment& experiment,
                     const space::Space& space, const EngineOutcome& outcome,
                     const RunSummary& summary, const Scorer& scorer);

// The final terminal table: the Pareto front (at most max_rows rows) with
// rank, id, accuracy, latency and energy per profile, params, MACs; and a
// note on which figures are modelled.
std::string final_table(const std::vector<CandidateRecord>& history, const RunSummary& summary,
                        const Scorer& scorer, const config::Experiment& experiment,
                        size_t max_rows = 15);

// "0.05", not "0.050000000000000003".
std::string shortest_number(double v);

}  // namespace nas::search
