// EvolutionStrategy: regularized (aging) evolution, Real et al. 2019,
// "Regularized Evolution for Image Classifier Architecture Search".
//
// A population of `population` individuals lives in a queue. The first
// `population` proposals are uniform samples. After that each proposal is a
// child: `sample` distinct members are drawn uniformly from the population,
// the best of them (by Observation::scalar, see selection_better) is the
// parent, and the child is the parent with `mutations` decisions changed.
// Every told observation joins the queue at the back; when the queue holds
// more than `population`, the oldest (front) dies, whatever its fitness.
//
// Batches: ask(n) makes all n children from the population as it is at the
// time of the ask (the results of a batch join the queue when told). The
// initial random phase counts proposals, so a first ask larger than the
// population is filled with random samples too.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "nas/search/strategy.h"
#include "nas/train/rng.h"

namespace nas::search {

// True when a should be preferred to b as a parent: feasible before
// infeasible, infeasible by lower violation, failed (ok == false) last; within
// a class the higher scalar (NaN counts as -inf); then the lower id; then the
// lexicographically smaller genotype, so the order is total and no tie is
// settled by chance.
bool selection_better(const Observation& a, const Observation& b);

class EvolutionStrategy final : public Strategy {
 public:
  // REQUIRES: space outlives the strategy; config within its documented
  // ranges (make_evolution_strategy checks them).
  EvolutionStrategy(const space::Space& space, const config::EvolutionConfig& config,
                    uint64_t seed);

  std::vector<space::Genotype> ask(int n) override;
  void tell(std::span<const Observation> results) override;

  // The living population, oldest first.
  const std::deque<Observation>& population() const { return population_; }

 private:
  const Observation& tournament();

  const space::Space& space_;
  config::EvolutionConfig config_;
  train::Rng rng_;
  int64_t random_proposals_ = 0;  // uniform samples proposed so far (initial phase)
  std::deque<Observation> population_;
  std::vector<int> members_;  // scratch for drawing distinct members
};

// The registry's factory for `strategy: {name: evolution, ...}`; an error
// names the setting that is out of range.
Result<std::unique_ptr<Strategy>> make_evolution_strategy(const config::EvolutionConfig& config,
                                                          const StrategyContext& context);

}  // namespace nas::search
