// The fixtures the strategy tests trust: the toy space's strings, the
// landscapes' unique optimum, the exact bi-objective front (against brute
// force) and run_strategy's engine behaviour (dedup, budget, stall).
#include "tests/nas/search/strategies/testing/toy_space.h"

#include <gtest/gtest.h>

#include <set>

#include "nas/space/genotype_ops.h"

namespace nas::search::testing {
namespace {

TEST(ToySpace, CanonicalStringsRoundTrip) {
  const ToySpace space(std::vector<int>{3, 1, 12});
  EXPECT_EQ(space.name(), "toy_3x1x12");
  EXPECT_EQ(space.size(), 36);
  space::enumerate(space, 100, [&](const space::Genotype& g) {
    auto back = space.parse(space.canonical_string(g));
    EXPECT_TRUE(back.is_ok());
    if (back.is_ok()) {
      EXPECT_EQ(back.value(), g);
    }
    return true;
  });
  EXPECT_EQ(space.canonical_string({2, 0, 11}), "2-0-11");
  for (const char* bad : {"", "1-0", "1-0-12", "1--0", "a-0-1", "1-0-1-", "-1-0-1"})
    EXPECT_FALSE(space.parse(bad).is_ok()) << bad;
  EXPECT_FALSE(space.decode({0, 0, 0}).is_ok());
}

TEST(ToySpace, EveryLandscapeHasOneOptimum) {
  const ToySpace space(5, 4);
  for (Landscape l : {Landscape::kSeparable, Landscape::kRidge, Landscape::kDeceptive}) {
    const ToyObjective f = single_objective(space, l);
    const double best = optimum_score(space, l);
    int at_best = 0;
    double max_seen = -1;
    space::enumerate(space, space.size(), [&](const space::Genotype& g) {
      const double s = f(g).scalar;
      max_seen = std::max(max_seen, s);
      if (s >= best - 1e-9) {
        ++at_best;
        EXPECT_EQ(g, toy_target(space));
      }
      return true;
    });
    EXPECT_EQ(at_best, 1);
    EXPECT_EQ(max_seen, best);
  }
}

std::vector<std::array<double, 2>> brute_force_front(const ToySpace& space, double cost_max) {
  const ToyObjective f = bi_objective(space, cost_max);
  std::vector<Observation> all;
  space::enumerate(space, space.size(), [&](const space::Genotype& g) {
    const ToyResult r = f(g);
    Observation o;
    o.genotype = g;
    o.objectives = r.objectives;
    o.violation = r.violation;
    all.push_back(o);
    return true;
  });
  return observed_front(all);
}

TEST(ToySpace, BiObjectiveFrontMatchesBruteForce) {
  for (double cost_max : {1e300, 20.0, 7.0}) {
    const ToySpace a(6, 4), b(std::vector<int>{3, 5, 4, 3, 6});
    EXPECT_EQ(bi_objective_front(a, cost_max), brute_force_front(a, cost_max)) << cost_max;
    EXPECT_EQ(bi_objective_front(b, cost_max), brute_force_front(b, cost_max)) << cost_max;
  }
  EXPECT_EQ(bi_objective_front(ToySpace(10, 4)).size(), 21u);
}

TEST(ToySpace, HypervolumeOfAStaircase) {
  // (1, 3), (2, 1) against (4, 4): 3 x 1 + 2 x 2 = 7; a dominated point adds nothing.
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 3}, {2, 1}}, {4, 4}), 7.0);
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 3}, {2, 1}, {3, 3}, {5, 0}}, {4, 4}), 7.0);
}

// Proposes a fixed cycle of genotypes and records what it is told.
class ScriptedStrategy final : public Strategy {
 public:
  explicit ScriptedStrategy(std::vector<space::Genotype> cycle) : cycle_(std::move(cycle)) {}
  std::vector<space::Genotype> ask(int n) override {
    std::vector<space::Genotype> out;
    for (int i = 0; i < n; ++i) out.push_back(cycle_[next_++ % cycle_.size()]);
    return out;
  }
  void tell(std::span<const Observation> results) override {
    told.insert(told.end(), results.begin(), results.end());
  }
  std::vector<Observation> told;

 private:
  std::vector<space::Genotype> cycle_;
  size_t next_ = 0;
};

TEST(RunStrategy, RepeatsAreToldTheEarlierResultAndDoNotCount) {
  const ToySpace space(3, 3);
  ScriptedStrategy s({{0, 0, 0}, {1, 1, 1}, {0, 0, 0}, {2, 2, 2}});
  const RunHistory h = run_strategy(s, single_objective(space, Landscape::kSeparable), 3, 3);
  ASSERT_EQ(h.evaluated.size(), 3u);
  EXPECT_EQ(h.evaluated[2].genotype, (space::Genotype{2, 2, 2}));
  // Asks: 3 (two new, one repeat), then 1 (budget left: 1).
  ASSERT_EQ(h.asks.size(), 2u);
  EXPECT_EQ(h.asks[1].size(), 1u);
  ASSERT_EQ(s.told.size(), 4u);
  EXPECT_EQ(s.told[2].id, s.told[0].id);
  EXPECT_EQ(s.told[2].genotype, s.told[0].genotype);
  EXPECT_FALSE(h.stalled);
}

TEST(RunStrategy, StopsAStrategyThatOnlyRepeats) {
  const ToySpace space(3, 3);
  ScriptedStrategy s({{1, 2, 0}});
  const RunHistory h = run_strategy(s, single_objective(space, Landscape::kSeparable), 5, 2);
  EXPECT_TRUE(h.stalled);
  EXPECT_EQ(h.evaluated.size(), 1u);
}

}  // namespace
}  // namespace nas::search::testing
