#include "nas/search/strategies/nsga2/nondominated_sort.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nas::search {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

Observation point(double a, double b, double violation = 0, bool ok = true) {
  Observation o;
  o.objectives = {a, b};
  o.violation = violation;
  o.ok = ok;
  if (!ok) o.objectives = {kInf, kInf};
  return o;
}

TEST(ConstrainedDomination, ParetoAmongFeasible) {
  EXPECT_TRUE(constrained_dominates(point(1, 1), point(2, 2)));
  EXPECT_TRUE(constrained_dominates(point(1, 2), point(1, 3)));
  EXPECT_FALSE(constrained_dominates(point(1, 3), point(2, 2)));
  EXPECT_FALSE(constrained_dominates(point(2, 2), point(1, 3)));
  EXPECT_FALSE(constrained_dominates(point(1, 1), point(1, 1)));
  EXPECT_TRUE(constrained_dominates(point(1, 1), point(1, std::nan(""))));
}

TEST(ConstrainedDomination, FeasibleBeatsInfeasibleBeatsFailed) {
  // The infeasible point is far better on every objective; it still loses.
  EXPECT_TRUE(constrained_dominates(point(100, 100), point(0, 0, 0.01)));
  EXPECT_FALSE(constrained_dominates(point(0, 0, 0.01), point(100, 100)));
  // Among infeasible points the lower violation wins, objectives aside.
  EXPECT_TRUE(constrained_dominates(point(9, 9, 0.1), point(0, 0, 0.2)));
  EXPECT_FALSE(constrained_dominates(point(0, 0, 0.2), point(9, 9, 0.1)));
  EXPECT_FALSE(constrained_dominates(point(0, 0, 0.2), point(9, 9, 0.2)));
  // Failed is worst, even against an infeasible point.
  EXPECT_TRUE(constrained_dominates(point(9, 9, 5.0), point(0, 0, 0, false)));
  EXPECT_FALSE(constrained_dominates(point(0, 0, 0, false), point(9, 9, 5.0)));
  EXPECT_FALSE(constrained_dominates(point(0, 0, 0, false), point(0, 0, 0, false)));
}

TEST(NondominatedFronts, SortsIntoLayers) {
  const std::vector<Observation> pool = {
      point(1, 5),           // 0: front 0
      point(2, 2),           // 1: front 0
      point(5, 1),           // 2: front 0
      point(3, 3),           // 3: front 1 (dominated by 1)
      point(6, 6),           // 4: front 2
      point(0, 0, 0.5),      // 5: infeasible: after every feasible point
      point(0, 0, 0, false)  // 6: failed: last
  };
  const auto fronts = nondominated_fronts(pool);
  ASSERT_EQ(fronts.size(), 5u);
  EXPECT_EQ(fronts[0], (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(fronts[1], (std::vector<int>{3}));
  EXPECT_EQ(fronts[2], (std::vector<int>{4}));
  EXPECT_EQ(fronts[3], (std::vector<int>{5}));
  EXPECT_EQ(fronts[4], (std::vector<int>{6}));
}

TEST(CrowdingDistance, ExtremesInfiniteInteriorNormalisedGaps) {
  const std::vector<Observation> pool = {point(0, 4), point(1, 2), point(3, 1), point(4, 0)};
  const std::vector<int> front = {0, 1, 2, 3};
  const auto d = crowding_distances(pool, front);
  EXPECT_EQ(d[0], kInf);
  EXPECT_EQ(d[3], kInf);
  // point 1: (3 - 0) / 4 + (4 - 1) / 4; point 2: (4 - 1) / 4 + (2 - 0) / 4.
  EXPECT_DOUBLE_EQ(d[1], 1.5);
  EXPECT_DOUBLE_EQ(d[2], 1.25);
}

TEST(CrowdingDistance, FailedFrontHasNoNaN) {
  const std::vector<Observation> pool = {point(0, 0, 0, false), point(0, 0, 0, false),
                                         point(0, 0, 0, false)};
  const std::vector<int> front = {0, 1, 2};
  for (double x : crowding_distances(pool, front)) EXPECT_FALSE(std::isnan(x));
}

}  // namespace
}  // namespace nas::search
