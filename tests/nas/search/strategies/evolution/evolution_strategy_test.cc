#include "nas/search/strategies/evolution/evolution_strategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/nas/search/strategies/testing/strategy_conformance.h"
#include "tests/nas/search/strategies/testing/toy_space.h"

namespace nas::search::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Evolution, StrategyConformance,
    ::testing::Values(ConformanceCase{"evolution", config::EvolutionConfig{16, 4, 1}},
                      ConformanceCase{"evolution_two_mutations", config::EvolutionConfig{8, 8, 2}}),
    conformance_case_name);

Observation observation(int64_t id, space::Genotype g, double scalar, double violation = 0,
                        bool ok = true) {
  Observation o;
  o.id = id;
  o.genotype = std::move(g);
  o.scalar = scalar;
  o.objectives = {-scalar};
  o.violation = violation;
  o.ok = ok;
  return o;
}

int hamming(const space::Genotype& a, const space::Genotype& b) {
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += a[i] != b[i];
  return d;
}

int64_t median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return (v[9] + v[10]) / 2;
}

// The first `population` proposals are random; then children start.
TEST(EvolutionStrategy, InitialPopulationIsRandomThenChildrenOfTheBest) {
  const ToySpace space(8, 4);
  EvolutionStrategy s(space, config::EvolutionConfig{4, 4, 1}, 0);
  const std::vector<space::Genotype> first = s.ask(4);
  std::vector<Observation> told;
  for (int i = 0; i < 4; ++i) told.push_back(observation(i, first[i], i == 2 ? 10.0 : 1.0));
  s.tell(told);
  // sample == population: every tournament sees the whole population, so
  // every child is one mutation away from the best (candidate 2).
  for (const space::Genotype& child : s.ask(20)) EXPECT_EQ(hamming(child, first[2]), 1);
}

TEST(EvolutionStrategy, AgingRemovesTheOldestNotTheWorst) {
  const ToySpace space(8, 4);
  EvolutionStrategy s(space, config::EvolutionConfig{3, 2, 1}, 0);
  std::vector<Observation> all;
  int64_t id = 0;
  for (int round = 0; round < 4; ++round) {
    const std::vector<space::Genotype> asked = s.ask(2);
    std::vector<Observation> told;
    // The first individual is by far the best; it must die of age anyway.
    for (const auto& g : asked) told.push_back(observation(id, g, id == 0 ? 1e9 : 0.0 + id)), ++id;
    s.tell(told);
    all.insert(all.end(), told.begin(), told.end());
    const size_t alive = std::min<size_t>(all.size(), 3);
    ASSERT_EQ(s.population().size(), alive);
    for (size_t i = 0; i < alive; ++i)
      EXPECT_EQ(s.population()[i].id, all[all.size() - alive + i].id) << "round " << round;
  }
}

TEST(EvolutionStrategy, FeasibleParentsBeforeInfeasibleBeforeFailed) {
  Observation feasible = observation(5, {0}, 1.0);
  Observation infeasible = observation(1, {1}, 100.0, 0.5);
  Observation less_infeasible = observation(2, {2}, -100.0, 0.1);
  Observation failed = observation(0, {3}, 1e9, 0, false);
  EXPECT_TRUE(selection_better(feasible, infeasible));
  EXPECT_FALSE(selection_better(infeasible, feasible));
  EXPECT_TRUE(selection_better(less_infeasible, infeasible));
  EXPECT_TRUE(selection_better(infeasible, failed));
  EXPECT_FALSE(selection_better(failed, infeasible));
  Observation nan = observation(3, {4}, std::nan(""));
  EXPECT_TRUE(selection_better(feasible, nan));
  Observation unknown_violation = observation(7, {5}, 1e9, std::nan(""));
  EXPECT_TRUE(selection_better(infeasible, unknown_violation));
  EXPECT_FALSE(selection_better(unknown_violation, infeasible));
  EXPECT_TRUE(selection_better(unknown_violation, failed));
  // Ties: lower id, then genotype; never both ways.
  Observation twin = observation(6, {0}, 1.0);
  EXPECT_TRUE(selection_better(feasible, twin));
  EXPECT_FALSE(selection_better(twin, feasible));
  EXPECT_FALSE(selection_better(feasible, feasible));
}

TEST(EvolutionStrategy, InfeasibleIsNeverPreferredOverFeasible) {
  const ToySpace space(8, 4);
  EvolutionStrategy s(space, config::EvolutionConfig{6, 6, 1}, 1);
  const std::vector<space::Genotype> first = s.ask(6);
  std::vector<Observation> told;
  // One feasible individual with the worst scalar; five infeasible ones
  // with much better scalars.
  for (int i = 0; i < 6; ++i)
    told.push_back(i == 4 ? observation(i, first[i], -50.0)
                          : observation(i, first[i], 100.0 + i, 0.01 * (i + 1)));
  s.tell(told);
  for (const space::Genotype& child : s.ask(30)) EXPECT_EQ(hamming(child, first[4]), 1);
}

TEST(EvolutionStrategy, RejectsOutOfRangeSettings) {
  const ToySpace space(4, 4);
  const StrategyContext context{&space, 0, 1};
  auto a = make_strategy(config::EvolutionConfig{1, 1, 1}, context);
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(a.status().message(),
            "failed to create strategy 'evolution' with population 1: must be >= 2");
  auto b = make_strategy(config::EvolutionConfig{8, 9, 1}, context);
  ASSERT_FALSE(b.is_ok());
  EXPECT_EQ(b.status().message(),
            "failed to create strategy 'evolution' with sample 9: must be in 1..population (8)");
  auto c = make_strategy(config::EvolutionConfig{8, 2, 0}, context);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().message(),
            "failed to create strategy 'evolution' with mutations 0: must be >= 1");
}

// Issue 8: on synthetic objectives with a known optimum, evolution reaches it
// in fewer evaluations than random search (median over 20 seeds). 12 x 4
// decisions (16.8 M genotypes): random search's expected evaluations to hit
// the one optimum are about 8.4 M; within the budget it (almost) never does.
int64_t evaluations_to_optimum(const config::StrategyConfig& config, const ToySpace& space,
                               Landscape landscape, uint64_t seed, int64_t budget) {
  auto s = make_strategy(config, StrategyContext{&space, seed, 1});
  NAS_CHECK(s.is_ok());
  auto reached = [&](const Observation& o) { return is_optimum(space, landscape, o); };
  const RunHistory h =
      run_strategy(*s.value(), single_objective(space, landscape), budget, 8, reached);
  const int64_t n = evaluations_until(h, reached);
  return n < 0 ? budget + 1 : n;
}

void expect_evolution_beats_random(Landscape landscape, int64_t budget) {
  const ToySpace space(12, 4);
  std::vector<int64_t> evolution, random;
  for (uint64_t seed = 100; seed < 120; ++seed) {
    evolution.push_back(
        evaluations_to_optimum(config::EvolutionConfig{32, 8, 1}, space, landscape, seed, budget));
    random.push_back(
        evaluations_to_optimum(config::RandomConfig{}, space, landscape, seed, budget));
  }
  const int64_t me = median(evolution), mr = median(random);
  std::printf("evaluations to the optimum, median of 20 seeds: evolution %lld, random %s\n",
              static_cast<long long>(me),
              mr > budget ? ("> " + std::to_string(budget)).c_str() : std::to_string(mr).c_str());
  EXPECT_LE(me, budget) << "evolution must reach the optimum within the budget";
  EXPECT_LT(me, mr);
}

TEST(EvolutionStrategy, ReachesTheOptimumFasterThanRandomSeparable) {
  expect_evolution_beats_random(Landscape::kSeparable, 3000);
}

TEST(EvolutionStrategy, ReachesTheOptimumFasterThanRandomOnARidge) {
  expect_evolution_beats_random(Landscape::kRidge, 6000);
}

TEST(EvolutionStrategy, KeepsExploringUntilASmallSpaceIsExhausted) {
  expect_exhausts_small_space(config::EvolutionConfig{16, 4, 1});
  expect_exhausts_small_space(config::EvolutionConfig{8, 8, 2});
}

}  // namespace
}  // namespace nas::search::testing
