// The strategy conformance suite: what every registered strategy promises,
// as a value-parameterised GoogleTest. A strategy's test folder instantiates
// it once, in exactly one .cc of its test executable:
//
//   #include "tests/nas/search/strategies/testing/strategy_conformance.h"
//   INSTANTIATE_TEST_SUITE_P(Evolution, StrategyConformance,
//       ::testing::Values(nas::search::testing::ConformanceCase{
//           "evolution", nas::config::EvolutionConfig{16, 4, 1}}),
//       nas::search::testing::conformance_case_name);
//
// The strategy is built through make_strategy (the registry), so a strategy
// that is not registered fails here. Every test runs on ToySpace and finishes
// in well under a second except BeatsRandomSearch (20 seeds of two searches).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "nas/search/strategy.h"
#include "nas/space/genotype_ops.h"
#include "tests/nas/search/strategies/testing/toy_space.h"

namespace nas::search::testing {

struct ConformanceCase {
  std::string name;               // test-name suffix, [A-Za-z0-9_]
  config::StrategyConfig config;  // settings sized for 6 x 4 toy spaces
  bool is_random_search = false;  // exempt from BeatsRandomSearch
};

inline std::string conformance_case_name(const ::testing::TestParamInfo<ConformanceCase>& info) {
  return info.param.name;
}

// The objective with every genotype whose hash is divisible by `every`
// failing as the engine reports a failure: ok = false, every objective +inf,
// scalar = -inf (no penalty configured).
inline ToyObjective failing_every(ToyObjective objective, uint64_t every, int num_objectives) {
  return [objective, every, num_objectives](const space::Genotype& g) {
    if (space::genotype_hash(g) % every != 0) return objective(g);
    ToyResult r;
    r.ok = false;
    r.objectives.assign(num_objectives, std::numeric_limits<double>::infinity());
    r.scalar = -std::numeric_limits<double>::infinity();
    return r;
  };
}

// Not part of the suite (a policy that has converged, as REINFORCE's does,
// rightly stops proposing new genotypes): checks that a strategy keeps
// exploring until a small space (3 x 3: 27 genotypes) is exhausted, even
// when the results give it a clear favourite. The engine ends a search whose
// proposals stop being new.
inline void expect_exhausts_small_space(const config::StrategyConfig& config) {
  const ToySpace space(3, 3);
  auto s = make_strategy(config, StrategyContext{&space, 5, 1});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  const RunHistory h =
      run_strategy(*s.value(), single_objective(space, Landscape::kSeparable), space.size(), 4);
  EXPECT_EQ(static_cast<int64_t>(h.evaluated.size()), space.size())
      << config::strategy_name(config);
  EXPECT_FALSE(h.stalled) << config::strategy_name(config);
}

class StrategyConformance : public ::testing::TestWithParam<ConformanceCase> {
 protected:
  std::unique_ptr<Strategy> make(const space::Space& space, uint64_t seed,
                                 int num_objectives = 1) const {
    StrategyContext context;
    context.space = &space;
    context.seed = seed;
    context.num_objectives = num_objectives;
    auto s = make_strategy(GetParam().config, context);
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    if (!s.is_ok()) return nullptr;
    return s.take();
  }

  // Evaluations until the toy optimum is reached (budget + 1 when it is not).
  static int64_t evaluations_to_optimum(Strategy& strategy, const ToySpace& space,
                                        Landscape landscape, int64_t budget, int batch) {
    auto reached = [&](const Observation& o) { return is_optimum(space, landscape, o); };
    const RunHistory h =
        run_strategy(strategy, single_objective(space, landscape), budget, batch, reached);
    const int64_t n = evaluations_until(h, reached);
    return n < 0 ? budget + 1 : n;
  }

  static int64_t median(std::vector<int64_t> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
};

TEST_P(StrategyConformance, SameSeedAndTellsGiveTheSameAsks) {
  const ToySpace space(6, 4);
  const ToyObjective objective =
      failing_every(single_objective(space, Landscape::kSeparable), 5, 1);
  auto a = make(space, 42), b = make(space, 42), c = make(space, 43);
  ASSERT_TRUE(a && b && c);
  const RunHistory ha = run_strategy(*a, objective, 120, 7);
  const RunHistory hb = run_strategy(*b, objective, 120, 7);
  const RunHistory hc = run_strategy(*c, objective, 120, 7);
  EXPECT_EQ(ha.asks, hb.asks);
  EXPECT_NE(ha.asks, hc.asks) << "the seed must matter";
}

TEST_P(StrategyConformance, AsksExactlyNValidGenotypes) {
  // One decision with a single choice and uneven choice counts, so that no
  // strategy can assume a regular space.
  const ToySpace space(std::vector<int>{4, 1, 3, 2, 5, 4});
  const ToyObjective objective = single_objective(space, Landscape::kSeparable);
  auto s = make(space, 7);
  ASSERT_TRUE(s);
  const int sizes[] = {1, 7, 3, 1, 16, 2, 7, 1, 64, 5};
  int64_t id = 0;
  for (int round = 0; round < 3; ++round)
    for (int n : sizes) {
      const std::vector<space::Genotype> asked = s->ask(n);
      ASSERT_EQ(static_cast<int>(asked.size()), n);
      std::vector<Observation> told;
      for (const space::Genotype& g : asked) {
        ASSERT_TRUE(space.valid(g)) << space.name();
        const ToyResult r = objective(g);
        Observation o;
        o.id = id++;
        o.genotype = g;
        o.objectives = r.objectives;
        o.scalar = r.scalar;
        told.push_back(o);
      }
      s->tell(told);
    }
}

TEST_P(StrategyConformance, SpendsTheBudgetWithBatchesOfOneAndSeven) {
  const ToySpace space(6, 4);
  const ToyObjective objective = single_objective(space, Landscape::kSeparable);
  for (int batch : {1, 7}) {
    auto s = make(space, 3);
    ASSERT_TRUE(s);
    const RunHistory h = run_strategy(*s, objective, 100, batch);
    EXPECT_EQ(h.evaluated.size(), 100u) << "batch " << batch;
    EXPECT_FALSE(h.stalled) << "batch " << batch;
    for (const auto& ask : h.asks) EXPECT_LE(static_cast<int>(ask.size()), batch);
  }
}

TEST_P(StrategyConformance, SurvivesFailedResults) {
  const ToySpace space(6, 4);
  // Some failures, then only failures: the strategy keeps proposing.
  for (uint64_t every : {3u, 1u}) {
    auto s = make(space, 11);
    ASSERT_TRUE(s);
    const RunHistory h = run_strategy(
        *s, failing_every(single_objective(space, Landscape::kSeparable), every, 1), 150, 7);
    EXPECT_EQ(h.evaluated.size(), 150u) << "every " << every;
    EXPECT_FALSE(h.stalled);
  }
  // Two objectives, failures included.
  auto s = make(space, 12, 2);
  ASSERT_TRUE(s);
  const RunHistory h = run_strategy(*s, failing_every(bi_objective(space), 4, 2), 150, 7);
  EXPECT_EQ(h.evaluated.size(), 150u);
}

// Evaluations to reach the unique optimum of a 6 x 4 separable space (4,096
// genotypes), median over 20 seeds, strictly fewer than random search's.
// Random search with the engine's dedup needs about half the space.
TEST_P(StrategyConformance, BeatsRandomSearch) {
  if (GetParam().is_random_search) GTEST_SKIP() << "random search is the baseline";
  const ToySpace space(6, 4);
  const int64_t budget = space.size();
  std::vector<int64_t> ours, random;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto s = make(space, seed);
    ASSERT_TRUE(s);
    ours.push_back(evaluations_to_optimum(*s, space, Landscape::kSeparable, budget, 4));
    StrategyContext context{&space, seed, 1};
    auto r = make_strategy(config::RandomConfig{}, context);
    ASSERT_TRUE(r.is_ok());
    random.push_back(evaluations_to_optimum(*r.value(), space, Landscape::kSeparable, budget, 4));
  }
  const int64_t m = median(ours), mr = median(random);
  RecordProperty("median_evaluations", std::to_string(m));
  RecordProperty("random_median_evaluations", std::to_string(mr));
  std::printf("%s: median evaluations to the optimum over 20 seeds %lld, random search %lld\n",
              GetParam().name.c_str(), static_cast<long long>(m), static_cast<long long>(mr));
  EXPECT_LT(m, mr) << GetParam().name << " needs a median of " << m
                   << " evaluations, random search " << mr;
}

}  // namespace nas::search::testing
