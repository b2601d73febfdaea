#include "nas/search/strategies/random/random_strategy.h"

#include <gtest/gtest.h>

#include "tests/nas/search/strategies/testing/strategy_conformance.h"
#include "tests/nas/search/strategies/testing/toy_space.h"

namespace nas::search::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Random, StrategyConformance,
                         ::testing::Values(ConformanceCase{"random", config::RandomConfig{}, true}),
                         conformance_case_name);

TEST(RandomStrategy, EveryChoiceIsEquallyLikely) {
  const ToySpace space(std::vector<int>{2, 3, 5});
  RandomStrategy s(space, 1);
  const int n = 30000;
  std::vector<std::vector<int>> counts = {std::vector<int>(2), std::vector<int>(3),
                                          std::vector<int>(5)};
  for (const space::Genotype& g : s.ask(n))
    for (size_t i = 0; i < g.size(); ++i) ++counts[i][g[i]];
  for (const auto& c : counts) {
    // Chi-square against uniform; the 0.999 quantile for 4 degrees of freedom is 18.5.
    const double expected = static_cast<double>(n) / c.size();
    double chi2 = 0;
    for (int x : c) chi2 += (x - expected) * (x - expected) / expected;
    EXPECT_LT(chi2, 18.5);
  }
}

TEST(RandomStrategy, ProposalsDoNotDependOnResults) {
  const ToySpace space(6, 4);
  RandomStrategy a(space, 5), b(space, 5);
  const RunHistory ha = run_strategy(a, single_objective(space, Landscape::kSeparable), 50, 5);
  const RunHistory hb = run_strategy(b, bi_objective(space), 50, 5);
  EXPECT_EQ(ha.asks, hb.asks);
}

TEST(RandomStrategy, RegistryBuildsIt) {
  const ToySpace space(3, 3);
  auto s = make_strategy(config::RandomConfig{}, StrategyContext{&space, 0, 1});
  ASSERT_TRUE(s.is_ok());
  EXPECT_NE(dynamic_cast<RandomStrategy*>(s.value().get()), nullptr);
}

TEST(RandomStrategy, KeepsExploringUntilASmallSpaceIsExhausted) {
  expect_exhausts_small_space(config::RandomConfig{});
}

}  // namespace
}  // namespace nas::search::testing
