#include "nas/search/pareto.h"

#include <gtest/gtest.h>

#include <limits>

namespace nas::search {
namespace {

TEST(Pareto, DominationNeedsOneStrictlyBetter) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));
  EXPECT_FALSE(dominates({1, 3}, {2, 2}));
}

TEST(Pareto, TwoObjectiveFrontOnHandData) {
  // (error, latency): 0,1,3,5 are the front; 2 is dominated by 1; 4 by 3;
  // 6 equals 5 and stays.
  const std::vector<std::vector<double>> p = {{0.10, 9}, {0.12, 5}, {0.13, 6}, {0.20, 2},
                                              {0.25, 2}, {0.30, 1}, {0.30, 1}};
  EXPECT_EQ(pareto_front(p), (std::vector<size_t>{0, 1, 3, 5, 6}));
}

TEST(Pareto, ThreeObjectivesAndInfinities) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::vector<double>> p = {{1, 1, 1}, {0, 2, 2}, {2, 2, 2}, {1, 1, inf}};
  EXPECT_EQ(pareto_front(p), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(pareto_front({{5, inf}}), (std::vector<size_t>{0}));
  EXPECT_TRUE(pareto_front({}).empty());
}

TEST(Pareto, SweepAgreesWithPairwiseOnRandomPoints) {
  uint64_t x = 12345;
  auto next = [&] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>((x >> 33) % 50);
  };
  std::vector<std::vector<double>> p;
  for (int i = 0; i < 300; ++i) p.push_back({next(), next()});
  std::vector<size_t> expected;
  for (size_t i = 0; i < p.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < p.size(); ++j) dominated = dominated || dominates(p[j], p[i]);
    if (!dominated) expected.push_back(i);
  }
  EXPECT_EQ(pareto_front(p), expected);
}

}  // namespace
}  // namespace nas::search
