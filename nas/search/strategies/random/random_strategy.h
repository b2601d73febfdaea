// RandomStrategy: every proposal is an independent uniform sample of the
// space (each decision uniformly at random), the baseline every other
// strategy is measured against. Observations are ignored.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "nas/search/strategy.h"
#include "nas/train/rng.h"

namespace nas::search {

class RandomStrategy final : public Strategy {
 public:
  // REQUIRES: space outlives the strategy.
  RandomStrategy(const space::Space& space, uint64_t seed);

  std::vector<space::Genotype> ask(int n) override;
  void tell(std::span<const Observation> results) override;

 private:
  const space::Space& space_;
  train::Rng rng_;
};

// The registry's factory for `strategy: {name: random}`.
Result<std::unique_ptr<Strategy>> make_random_strategy(const config::RandomConfig& config,
                                                       const StrategyContext& context);

}  // namespace nas::search
