// Engine: the one search loop (DESIGN.md, "Data flow"). It asks the strategy
// for a batch, evaluates the new candidates (cost models, then evaluator) in
// parallel on the project's TBB arena, appends them to the journal in
// candidate-id order (flushed to disk before the strategy hears of them:
// each line at once when evaluating one at a time, one fdatasync per batch
// when evaluating in parallel), tells the strategy, and stops at the budget.
//
// Resume is replay: given the journal's records, the engine re-runs the
// same loop from the strategy's seed, and wherever candidate id k is asked
// for a second time it takes record k from the journal instead of
// evaluating. Strategies are deterministic given their seed and tells, so
// the replayed strategy reaches exactly the state the interrupted run had,
// and the run continues to the same final history.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/eval/evaluator.h"
#include "nas/hardware/cost_model.h"
#include "nas/search/candidate_record.h"
#include "nas/search/strategy.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::search {

// The already-built parts of a search; all borrowed, none null (cost_models
// may be empty). The experiment supplies objectives, constraints,
// scalarisation and seed.
struct EngineParts {
  const config::Experiment* experiment = nullptr;
  const space::Space* space = nullptr;
  Strategy* strategy = nullptr;
  eval::Evaluator* evaluator = nullptr;
  std::vector<const hardware::CostModel*> cost_models;
};

struct EngineOptions {
  std::optional<int64_t> max_candidates;  // new genotypes evaluated, journal included
  std::optional<double> wall_time_s;      // of this session (a resume starts a new clock)
  int batch = 8;                          // >= 1: candidates per ask
  // Candidates evaluated at once; 0: the evaluator's preferred_parallelism(),
  // capped at the thread count. Results never depend on it.
  int parallelism = 0;
  // Stop as exhausted after this many asks in a row that bring no genotype
  // not already evaluated (the strategy has run out of new candidates).
  int exhausted_after = 200;
  // Set (by a SIGINT handler) to stop: a sequential evaluation stops after
  // the candidate in flight, a parallel one after the batch in flight.
  const std::atomic<bool>* interrupt = nullptr;
  bool show_progress = true;  // one line per candidate (at most ~2 a second) on stderr
  bool sync_journal = true;   // fdatasync the journal (off only for engine benchmarks)
  // Called with the id of the next new candidate while no candidate is being
  // evaluated: before each one when evaluating one at a time, before each
  // parallel batch otherwise; never for candidates taken from the journal.
  // The host's machine-state re-check (hardware/profiler/
  // machine_state_tracker.h) changes the scale of host latencies here. An
  // error stops the run.
  std::function<Status(int64_t next_id)> before_evaluating;

  // Budget and batch from the experiment.
  static EngineOptions from(const config::Experiment& experiment);
};

enum class StopReason { kCandidates, kWallTime, kInterrupted, kExhausted };
const char* stop_reason_name(StopReason reason);

struct EngineOutcome {
  std::vector<CandidateRecord> history;  // by id: journaled, then new ones
  StopReason reason = StopReason::kCandidates;
  int64_t resumed = 0;    // records taken from the journal
  int64_t evaluated = 0;  // records evaluated (and journaled) in this session
  int64_t repeats = 0;    // proposals of an already evaluated genotype
  double seconds = 0;     // this session's wall time
};

// Runs the search. `journaled` holds the records already in the journal at
// `journal_path` (read_journal()); new records are appended there. Errors:
// the journal cannot be written, or a journaled candidate is not what the
// strategy proposes again (a different experiment, seed or batch).
Result<EngineOutcome> run_engine(const EngineParts& parts, const EngineOptions& options,
                                 const std::filesystem::path& journal_path,
                                 std::vector<CandidateRecord> journaled);

}  // namespace nas::search
