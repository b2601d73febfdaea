// Nsga2Strategy: NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002, "A fast and
// elitist multiobjective genetic algorithm: NSGA-II") over the observations'
// objectives (all minimised), with Deb's constrained domination.
//
// Generation 0 is `population` uniform samples. Afterwards every proposal is
// a child of the current parents: two binary tournaments (lower front rank
// wins, then larger crowding distance) pick the parents; with probability
// crossover_prob the child is their uniform crossover, else a copy of the
// first; then each decision is changed, with probability mutation_prob, to
// another of its choices drawn uniformly. A child equal to a genotype already
// proposed or told (compared by the space's canonical form, as the engine
// compares them) is redrawn up to 32 times, as pymoo's duplicate elimination
// does, so that proposals are not wasted on repeats.
//
// Survival is (mu + lambda): every `population` told observations form an
// offspring generation; parents and offspring together (a network repeated
// under any encoding counts once) are sorted into fronts, and the best
// `population` by (front, crowding distance) become the next parents.
// ask(n) may be called with any n: told observations are buffered until a
// whole generation is in, and children are always made from the latest
// parents.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>
#include <vector>

#include "nas/search/strategy.h"
#include "nas/train/rng.h"

namespace nas::search {

class Nsga2Strategy final : public Strategy {
 public:
  // REQUIRES: space outlives the strategy; config within its documented
  // ranges (make_nsga2_strategy checks them); num_objectives >= 1.
  Nsga2Strategy(const space::Space& space, const config::Nsga2Config& config, int num_objectives,
                uint64_t seed);

  std::vector<space::Genotype> ask(int n) override;
  void tell(std::span<const Observation> results) override;

  // The current parents (empty until generation 0 is told), with each one's
  // front rank (0 = non-dominated) and crowding distance.
  const std::vector<Observation>& parents() const { return parents_; }
  const std::vector<int>& parent_ranks() const { return rank_; }
  // Survival steps done so far (generation 0 counts).
  int64_t generations() const { return generations_; }

 private:
  void survive();
  int tournament();
  space::Genotype child();
  space::Genotype propose();
  uint64_t key(const space::Genotype& g) const;

  const space::Space& space_;
  config::Nsga2Config config_;
  int num_objectives_;
  train::Rng rng_;
  int64_t random_proposals_ = 0;
  int64_t generations_ = 0;
  std::vector<Observation> parents_;
  std::vector<int> rank_;
  std::vector<double> crowding_;
  std::vector<Observation> offspring_;  // told, waiting for a whole generation
  std::unordered_set<uint64_t> known_;  // key() of every genotype proposed or told
};

// The registry's factory for `strategy: {name: nsga2, ...}`; an error names
// the setting that is out of range.
Result<std::unique_ptr<Strategy>> make_nsga2_strategy(const config::Nsga2Config& config,
                                                      const StrategyContext& context);

}  // namespace nas::search
