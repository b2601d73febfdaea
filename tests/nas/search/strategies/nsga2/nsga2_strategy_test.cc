#include "nas/search/strategies/nsga2/nsga2_strategy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "tests/nas/search/strategies/testing/strategy_conformance.h"
#include "tests/nas/search/strategies/testing/toy_space.h"

namespace nas::search::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Nsga2, StrategyConformance,
    ::testing::Values(ConformanceCase{"nsga2", config::Nsga2Config{20, 0.9, 0.2}},
                      ConformanceCase{"nsga2_mutation_only", config::Nsga2Config{8, 0.0, 0.3}}),
    conformance_case_name);

Observation observation(int64_t id, space::Genotype g, std::vector<double> objectives,
                        double violation = 0) {
  Observation o;
  o.id = id;
  o.genotype = std::move(g);
  o.objectives = std::move(objectives);
  o.violation = violation;
  return o;
}

TEST(Nsga2Strategy, InfeasibleIsNeverPreferredOverFeasible) {
  const ToySpace space(8, 4);
  Nsga2Strategy s(space, config::Nsga2Config{4, 0.9, 0.2}, 2, 0);
  // Generation 0: two feasible but poor, two infeasible but excellent.
  const auto g0 = s.ask(4);
  s.tell(std::vector<Observation>{observation(0, g0[0], {9, 9}), observation(1, g0[1], {0, 0}, 0.3),
                                  observation(2, g0[2], {8, 10}),
                                  observation(3, g0[3], {0, 1}, 0.1)});
  ASSERT_EQ(s.generations(), 1);
  // Generation 1: infeasible children better than everything on the objectives.
  const auto g1 = s.ask(4);
  std::vector<Observation> told;
  for (int i = 0; i < 4; ++i) told.push_back(observation(4 + i, g1[i], {-1.0 * i, -5.0}, 0.05));
  s.tell(told);
  ASSERT_EQ(s.generations(), 2);
  ASSERT_EQ(s.parents().size(), 4u);
  // Both feasible individuals survive, ranked ahead of every infeasible one.
  int feasible = 0;
  for (size_t i = 0; i < s.parents().size(); ++i)
    for (size_t j = 0; j < s.parents().size(); ++j)
      if (s.parents()[i].feasible() && !s.parents()[j].feasible()) {
        EXPECT_LT(s.parent_ranks()[i], s.parent_ranks()[j]);
      }
  for (const Observation& p : s.parents()) feasible += p.feasible();
  EXPECT_EQ(feasible, 2);
  // The least violating infeasible ones fill the rest (violation 0.05 < 0.1 < 0.3).
  for (const Observation& p : s.parents()) {
    if (!p.feasible()) {
      EXPECT_EQ(p.violation, 0.05);
    }
  }
}

TEST(Nsga2Strategy, RanksFeasibleThenByViolationThenUnknownViolationThenFailed) {
  const ToySpace space(8, 4);
  Nsga2Strategy s(space, config::Nsga2Config{4, 0.9, 0.2}, 2, 0);
  const auto g = s.ask(4);
  Observation failed = observation(3, g[3], {-9, -9});
  failed.ok = false;
  s.tell(std::vector<Observation>{observation(0, g[0], {5, 5}),
                                  observation(1, g[1], {0, 0}, std::nan("")),
                                  observation(2, g[2], {1, 1}, 0.3), failed});
  ASSERT_EQ(s.parents().size(), 4u);
  std::vector<int> rank_of(4);
  for (size_t i = 0; i < 4; ++i) rank_of[s.parents()[i].id] = s.parent_ranks()[i];
  EXPECT_EQ(rank_of, (std::vector<int>{0, 2, 1, 3}));
}

TEST(Nsga2Strategy, SurvivalKeepsTheBestOfParentsAndOffspring) {
  const ToySpace space(8, 4);
  Nsga2Strategy s(space, config::Nsga2Config{4, 0.9, 0.2}, 2, 0);
  const auto g0 = s.ask(4);
  s.tell(std::vector<Observation>{observation(0, g0[0], {0, 10}), observation(1, g0[1], {10, 0}),
                                  observation(2, g0[2], {20, 20}),
                                  observation(3, g0[3], {21, 21})});
  const auto g1 = s.ask(4);
  s.tell(std::vector<Observation>{observation(4, g1[0], {5, 5}), observation(5, g1[1], {30, 30}),
                                  observation(6, g1[2], {6, 4}), observation(7, g1[3], {40, 40})});
  std::vector<int64_t> ids;
  for (const Observation& p : s.parents()) ids.push_back(p.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 1, 4, 6}));  // exactly the non-dominated ones
}

TEST(Nsga2Strategy, BuffersGenerationsWhateverTheAskSize) {
  const ToySpace space(6, 4);
  Nsga2Strategy s(space, config::Nsga2Config{10, 0.9, 0.2}, 2, 0);
  const ToyObjective objective = bi_objective(space);
  const RunHistory h = run_strategy(s, objective, 95, 7);
  EXPECT_EQ(h.evaluated.size(), 95u);
  EXPECT_EQ(s.generations(), 9);  // 95 told -> 9 whole generations of 10
}

TEST(Nsga2Strategy, RejectsOutOfRangeSettings) {
  const ToySpace space(4, 4);
  const StrategyContext context{&space, 0, 2};
  auto a = make_strategy(config::Nsga2Config{3, 0.9, 0.1}, context);
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(a.status().message(),
            "failed to create strategy 'nsga2' with population 3: must be >= 4");
  auto b = make_strategy(config::Nsga2Config{8, 1.5, 0.1}, context);
  ASSERT_FALSE(b.is_ok());
  EXPECT_EQ(b.status().message(),
            "failed to create strategy 'nsga2' with crossover_prob 1.500000: must be in 0..1");
  auto c = make_strategy(config::Nsga2Config{8, 0.5, -0.1}, context);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().message(),
            "failed to create strategy 'nsga2' with mutation_prob -0.100000: must be in 0..1");
}

// Issue 8: NSGA-II recovers the known front of a bi-objective test problem.
// 10 decisions x 4 choices (1,048,576 genotypes); the true front has 21
// points, each end reached by a single genotype.
constexpr uint64_t kFrontSeeds = 20;

struct FrontResult {
  size_t found = 0;              // true front points found within the budget
  int64_t evaluations = 0;       // evaluations spent (until all were found, if they were)
  double hypervolume_ratio = 0;  // of the found front to the true one
};

FrontResult run_front(const ToySpace& space, double cost_max, uint64_t seed, int64_t budget) {
  Nsga2Strategy s(space, config::Nsga2Config{40, 0.9, 0.1}, 2, seed);
  const auto truth = bi_objective_front(space, cost_max);
  std::set<std::array<double, 2>> missing(truth.begin(), truth.end());
  auto all_found = [&](const Observation& o) {
    if (o.feasible()) missing.erase({o.objectives[0], o.objectives[1]});
    return missing.empty();
  };
  const RunHistory h = run_strategy(s, bi_objective(space, cost_max), budget, 8, all_found);
  const auto found = observed_front(h.evaluated);
  FrontResult r;
  r.found = truth.size() - missing.size();
  r.evaluations = static_cast<int64_t>(h.evaluated.size());
  const std::array<double, 2> reference = {61, 61};  // beyond every feasible point
  r.hypervolume_ratio = hypervolume_2d(found, reference) / hypervolume_2d(truth, reference);
  // Every non-dominated point found is on the true front (the truth is exact).
  for (const auto& p : found) EXPECT_EQ(std::count(truth.begin(), truth.end(), p), 1);
  return r;
}

TEST(Nsga2Strategy, RecoversTheKnownFront) {
  const ToySpace space(10, 4);
  const auto truth = bi_objective_front(space);
  ASSERT_EQ(truth.size(), 21u);
  for (uint64_t seed = 0; seed < kFrontSeeds; ++seed) {
    const FrontResult r = run_front(space, 1e300, seed, 8000);
    std::printf("seed %llu: %zu of %zu front points after %lld evaluations, hypervolume %.4f\n",
                static_cast<unsigned long long>(seed), r.found, truth.size(),
                static_cast<long long>(r.evaluations), r.hypervolume_ratio);
    EXPECT_EQ(r.found, truth.size()) << "seed " << seed;
    EXPECT_DOUBLE_EQ(r.hypervolume_ratio, 1.0) << "seed " << seed;
  }
}

TEST(Nsga2Strategy, RecoversTheConstrainedFront) {
  const ToySpace space(10, 4);
  const double cost_max = 24;  // cuts off the low-error, high-cost end of the front
  const auto truth = bi_objective_front(space, cost_max);
  ASSERT_EQ(truth.size(), 12u);
  for (uint64_t seed = 0; seed < kFrontSeeds; ++seed) {
    const FrontResult r = run_front(space, cost_max, seed, 4000);
    std::printf("seed %llu: %zu of %zu constrained front points after %lld evaluations\n",
                static_cast<unsigned long long>(seed), r.found, truth.size(),
                static_cast<long long>(r.evaluations));
    EXPECT_EQ(r.found, truth.size()) << "seed " << seed;
  }
}

// A space where the order of the decisions does not matter: canonicalize
// sorts the choices, so 6 x 4 genotypes describe 84 networks.
class OrderFreeSpace final : public space::Space {
 public:
  const std::string& name() const override { return name_; }
  space::SpaceKind kind() const override { return space::SpaceKind::kCell; }
  const std::vector<space::Decision>& decisions() const override { return toy_.decisions(); }
  std::string canonical_string(const space::Genotype& g) const override {
    return toy_.canonical_string(canonicalize(g));
  }
  Result<space::Genotype> parse(const std::string& canonical) const override {
    return toy_.parse(canonical);
  }
  space::Genotype canonicalize(const space::Genotype& g) const override {
    space::Genotype c = g;
    std::sort(c.begin(), c.end());
    return c;
  }
  Result<config::Architecture> decode(const space::Genotype& g) const override {
    return toy_.decode(g);
  }

 private:
  ToySpace toy_{6, 4};
  std::string name_ = "order_free";
};

TEST(Nsga2Strategy, ProposesNoNetworkTwiceUnderAnotherEncoding) {
  const OrderFreeSpace space;
  Nsga2Strategy s(space, config::Nsga2Config{8, 0.9, 0.2}, 2, 0);
  std::set<space::Genotype> seen;
  int64_t id = 0;
  for (int round = 0; round < 8; ++round) {  // 40 of the 84 networks
    const auto asked = s.ask(5);
    std::vector<Observation> told;
    for (const auto& g : asked) {
      EXPECT_TRUE(seen.insert(space.canonicalize(g)).second) << space.canonical_string(g);
      const double ones = static_cast<double>(std::count(g.begin(), g.end(), 1));
      told.push_back(observation(id++, g, {ones, 6 - ones}));
    }
    s.tell(told);
  }
}

TEST(Nsga2Strategy, KeepsExploringUntilASmallSpaceIsExhausted) {
  expect_exhausts_small_space(config::Nsga2Config{20, 0.9, 0.2});
  expect_exhausts_small_space(config::Nsga2Config{8, 0.0, 0.3});
}

}  // namespace
}  // namespace nas::search::testing
