// Evaluating one new candidate: decode it, estimate its cost on every
// profile, check the constraints its cost metrics already decide, and (when
// they hold) run the evaluator. Every failure becomes the record's status.
#pragma once

#include <cstdint>
#include <vector>

#include "nas/eval/evaluator.h"
#include "nas/hardware/cost_model.h"
#include "nas/search/candidate_record.h"
#include "nas/search/scoring.h"
#include "nas/space/space.h"

namespace nas::search {

struct CandidateContext {
  const space::Space* space = nullptr;
  eval::Evaluator* evaluator = nullptr;
  std::vector<const hardware::CostModel*> cost_models;  // one per experiment hardware entry
  const Scorer* scorer = nullptr;
  uint64_t run_seed = 0;
};

// The record of candidate `id` with canonical genotype `canonical`.
// Metrics: params and macs of the network (batch 1), and per profile
// latency_ms@P, energy_mj@P (when the profile models energy),
// peak_memory_bytes@P, lut_coverage@P; then the
// evaluator's metrics. A candidate whose cost metrics break a constraint,
// or that does not fit a device, is kSkipped without running the evaluator
// (training it could not make it feasible). Thread-safe when the evaluator
// is; deterministic given (id, canonical, run_seed).
CandidateRecord evaluate_candidate(const CandidateContext& context, int64_t id,
                                   const space::Genotype& canonical);

// The evaluator's seed for a candidate: mix_seed(run seed, genotype hash).
uint64_t candidate_seed(uint64_t run_seed, const space::Genotype& canonical);

}  // namespace nas::search
