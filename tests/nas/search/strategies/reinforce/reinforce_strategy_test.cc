// The REINFORCE strategy: learning on synthetic rewards, finding the optimum
// of a small space, beating random search on a synthetic tabular benchmark,
// resume by replay, determinism, failed results and settings errors; plus
// the strategy conformance suite.
#include "nas/search/strategies/reinforce/reinforce_strategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "nas/space/space_loader.h"
#include "nas/train/rng.h"
#include "ops/core/parallel.h"
#include "tests/nas/search/strategies/testing/strategy_conformance.h"
#include "tests/nas/search/strategies/testing/toy_space.h"

namespace nas::search::testing {
namespace {

config::ReinforceConfig lstm_config() { return config::ReinforceConfig{}; }

config::ReinforceConfig independent_config() {
  config::ReinforceConfig c;
  c.controller = config::ControllerKind::kIndependent;
  // One logit vector per decision moves only by Adam's step size per update,
  // and the default temperature divides it by 5: a larger step.
  c.learning_rate = 0.1;
  return c;
}

INSTANTIATE_TEST_SUITE_P(Reinforce, StrategyConformance,
                         ::testing::Values(ConformanceCase{"reinforce_lstm", lstm_config()},
                                           ConformanceCase{"reinforce_independent",
                                                           independent_config()}),
                         conformance_case_name);

Observation observe(const ToyObjective& objective, const space::Genotype& g, int64_t id) {
  const ToyResult r = objective(g);
  Observation o;
  o.id = id;
  o.genotype = g;
  o.ok = r.ok;
  o.objectives = r.objectives;
  o.violation = r.violation;
  o.scalar = r.scalar;
  return o;
}

// Asks and tells `rounds` batches of `batch`, every proposal evaluated (no
// dedup), so that each update sees a full group of fresh samples.
void run_rounds(Strategy& s, const ToyObjective& objective, int rounds, int batch) {
  int64_t id = 0;
  for (int i = 0; i < rounds; ++i) {
    std::vector<Observation> told;
    for (const auto& g : s.ask(batch)) told.push_back(observe(objective, g, id++));
    s.tell(told);
  }
}

double mean_of(const std::vector<ReinforceUpdate>& u, size_t begin, size_t end,
               double ReinforceUpdate::*field) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += u[i].*field;
  return sum / static_cast<double>(end - begin);
}

struct LearnCase {
  const char* name;
  config::ReinforceConfig config;
  int updates;
};
void PrintTo(const LearnCase& c, std::ostream* os) { *os << c.name; }

class ReinforceLearns : public ::testing::TestWithParam<LearnCase> {};

// 6 x 4 separable reward (best 6.0, uniform policy's mean 3.75): over 40
// updates of 8 samples (80 for the slower independent policy) the policy's
// entropy falls and its mean reward rises.
TEST_P(ReinforceLearns, EntropyFallsAndMeanRewardRises) {
  const ToySpace space(6, 4);
  ReinforceStrategy s(GetParam().config, StrategyContext{&space, 5, 1});
  const int n = GetParam().updates;
  run_rounds(s, single_objective(space, Landscape::kSeparable), n, 8);
  const auto& u = s.updates();
  ASSERT_EQ(u.size(), static_cast<size_t>(n));
  std::printf("%s: update  mean_reward  entropy\n", GetParam().name);
  for (size_t i = 0; i < u.size(); i += n / 8)
    std::printf("%s: %6zu  %11.3f  %7.3f\n", GetParam().name, i + 1, u[i].mean_reward,
                u[i].entropy);
  std::printf("%s: %6zu  %11.3f  %7.3f\n", GetParam().name, u.size(), u.back().mean_reward,
              u.back().entropy);
  const double h0 = mean_of(u, 0, 5, &ReinforceUpdate::entropy);
  const double h1 = mean_of(u, n - 5, n, &ReinforceUpdate::entropy);
  const double r0 = mean_of(u, 0, 5, &ReinforceUpdate::mean_reward);
  const double r1 = mean_of(u, n - 5, n, &ReinforceUpdate::mean_reward);
  // The uniform policy's entropy is 6 ln 4 = 8.32 nats.
  EXPECT_NEAR(u[0].entropy, 6 * std::log(4.0), 0.1);
  EXPECT_LT(h1, 0.6 * h0) << "entropy first 5 updates " << h0 << ", last 5 " << h1;
  EXPECT_GT(r1, r0 + 1.0) << "mean reward first 5 updates " << r0 << ", last 5 " << r1;
  for (size_t i = 1; i < u.size(); ++i) EXPECT_TRUE(std::isfinite(u[i].loss));
}

INSTANTIATE_TEST_SUITE_P(Controllers, ReinforceLearns,
                         ::testing::Values(LearnCase{"lstm", lstm_config(), 40},
                                           LearnCase{"independent", independent_config(), 80}),
                         [](const auto& info) { return std::string(info.param.name); });

// A 3 x 4 x 2 x 5 space (120 genotypes) on the LeadingOnes ridge, where only
// the first decision not yet at its target changes the reward: after 100
// updates of 8 the policy's most likely genotype is the optimum, with p > 0.5.
TEST(ReinforceStrategy, FindsTheOptimumOfASmallSpace) {
  const ToySpace space(std::vector<int>{3, 4, 2, 5});
  const space::Genotype target = toy_target(space);
  for (const auto& config : {lstm_config(), independent_config()}) {
    ReinforceStrategy s(config, StrategyContext{&space, 17, 1});
    run_rounds(s, single_objective(space, Landscape::kRidge), 100, 8);
    std::map<space::Genotype, int> counts;
    for (const auto& g : s.ask(400)) ++counts[g];
    const auto mode = std::max_element(counts.begin(), counts.end(),
                                       [](auto& a, auto& b) { return a.second < b.second; });
    EXPECT_EQ(mode->first, target);
    const double p =
        std::exp(s.policy().loss({&target, 1}, std::vector<double>{0.0}, 0, false).log_prob);
    EXPECT_GT(p, 0.5);
    std::printf("%s: p(optimum) after 100 updates %.3f\n",
                config.controller == config::ControllerKind::kLstm ? "lstm" : "independent", p);
  }
}

// A synthetic tabular benchmark: 6 decisions x 4 choices, each genotype's
// reward read from a fixed table = mean_i w_i[g_i] + 0.5 u_g with w and u
// uniform in [0, 1) from seed 2024 (structure plus as much per-genotype
// noise as structure). Budget 400 distinct evaluations (10% of the space),
// the engine's dedup, batches of 8, at most 2,000 proposals (a converged
// policy mostly re-proposes); median over 20 seeds of the regret (table
// best - best found) and of the evaluations until the table's best.
TEST(ReinforceStrategy, BeatsRandomSearchOnASyntheticTabularBenchmark) {
  const ToySpace space(6, 4);
  train::Rng rng(2024);
  std::vector<std::vector<double>> w(6, std::vector<double>(4));
  for (auto& row : w)
    for (double& x : row) x = rng.uniform_float();
  std::vector<double> table(space.size());
  for (double& x : table) x = 0.5 * rng.uniform_float();
  auto index = [](const space::Genotype& g) {
    int64_t k = 0;
    for (int v : g) k = k * 4 + v;
    return k;
  };
  double best = -1;
  for (int64_t k = 0; k < space.size(); ++k) {
    int64_t m = k;
    for (int i = 5; i >= 0; --i, m /= 4) table[k] += w[i][m % 4] / 6;
    best = std::max(best, table[k]);
  }
  const ToyObjective objective = [&](const space::Genotype& g) {
    ToyResult r;
    r.scalar = table[index(g)];
    r.objectives = {-r.scalar};
    return r;
  };
  const int64_t budget = 400;
  auto found_best = [&](const Observation& o) { return o.scalar == best; };
  struct Summary {
    double regret;
    int64_t evaluations;
  };
  auto summarise = [&](const char* name, auto make) {
    std::vector<double> regrets;
    std::vector<int64_t> evaluations;
    for (uint64_t seed = 0; seed < 20; ++seed) {
      std::unique_ptr<Strategy> s = make(seed);
      const RunHistory h = run_strategy(*s, objective, budget, 8, {}, 5 * budget);
      double got = -1;
      for (const auto& o : h.evaluated) got = std::max(got, o.scalar);
      regrets.push_back(best - got);
      const int64_t n = evaluations_until(h, found_best);
      evaluations.push_back(n < 0 ? budget + 1 : n);
    }
    const auto found = std::count(regrets.begin(), regrets.end(), 0.0);
    std::sort(regrets.begin(), regrets.end());
    std::sort(evaluations.begin(), evaluations.end());
    const Summary m{(regrets[9] + regrets[10]) / 2, (evaluations[9] + evaluations[10]) / 2};
    std::printf(
        "%s: median regret %.4f, median evaluations to the best %lld%s, found in %d of 20\n", name,
        m.regret, static_cast<long long>(m.evaluations),
        m.evaluations > budget ? " (not found within the budget)" : "", static_cast<int>(found));
    return m;
  };
  const Summary random = summarise("random", [&](uint64_t seed) {
    return make_strategy(config::RandomConfig{}, StrategyContext{&space, seed, 1}).take();
  });
  for (const auto& [name, config] : {std::pair{"reinforce_lstm", lstm_config()},
                                     std::pair{"reinforce_independent", independent_config()}}) {
    const Summary ours = summarise(name, [&](uint64_t seed) {
      return std::unique_ptr<Strategy>(
          std::make_unique<ReinforceStrategy>(config, StrategyContext{&space, seed, 1}));
    });
    EXPECT_LT(ours.regret, random.regret) << name;
    EXPECT_LT(ours.evaluations, random.evaluations) << name;
  }
}

// What the engine journals and replays on --resume: every ask's size and the
// observations told after it.
struct Journal {
  std::vector<std::vector<space::Genotype>> asks;
  std::vector<std::vector<Observation>> tells;
};

Journal run_journal(Strategy& s, const ToyObjective& objective, const std::vector<int>& sizes) {
  Journal j;
  int64_t id = 0;
  for (int n : sizes) {
    j.asks.push_back(s.ask(n));
    std::vector<Observation> told;
    for (const auto& g : j.asks.back()) told.push_back(observe(objective, g, id++));
    s.tell(told);
    j.tells.push_back(told);
  }
  return j;
}

std::vector<float> parameters(ReinforceStrategy& s) {
  std::vector<float> out;
  for (const auto& p : s.policy().params().params)
    out.insert(out.end(), p.value.data(), p.value.data() + p.value.numel());
  return out;
}

// A run interrupted after 11 batches (sizes not multiples of
// samples_per_update, failures included) and rebuilt by replaying the
// journal continues bit for bit: the replayed asks equal the journaled ones,
// the parameters are equal, and the next batches are the uninterrupted run's.
// Replaying only the tells (no asks) gives the same continuation.
TEST(ReinforceStrategy, ResumeByReplayContinuesTheSameTrajectory) {
  const ToySpace space(6, 4);
  const ToyObjective objective =
      failing_every(single_objective(space, Landscape::kSeparable), 7, 1);
  const std::vector<int> sizes = {5, 3, 8, 1, 7, 12, 2, 8, 6, 4, 9};
  for (const auto& config : {lstm_config(), independent_config()}) {
    const StrategyContext context{&space, 31, 1};
    ReinforceStrategy original(config, context);
    const Journal journal = run_journal(original, objective, sizes);
    const Journal rest = run_journal(original, objective, {6, 8, 3});
    ASSERT_GT(original.updates().size(), 8u);

    ReinforceStrategy replayed(config, context);
    for (size_t i = 0; i < sizes.size(); ++i) {
      ASSERT_EQ(replayed.ask(sizes[i]), journal.asks[i]) << "batch " << i;
      replayed.tell(journal.tells[i]);
    }
    ReinforceStrategy told_only(config, context);
    for (const auto& t : journal.tells) told_only.tell(t);

    for (ReinforceStrategy* s : {&replayed, &told_only}) {
      const Journal again = run_journal(*s, objective, {6, 8, 3});
      EXPECT_EQ(again.asks, rest.asks);
      EXPECT_EQ(parameters(*s), parameters(original));
    }
  }
}

TEST(ReinforceStrategy, SameAsksOnOneAndTwoThreads) {
  const ToySpace space(8, 5);
  auto asks = [&](int threads) {
    ops::set_num_threads(threads);
    ReinforceStrategy s(lstm_config(), StrategyContext{&space, 8, 1});
    return run_journal(s, single_objective(space, Landscape::kDeceptive), std::vector<int>(12, 8))
        .asks;
  };
  const int before = ops::num_threads();
  const auto one = asks(1), two = asks(2);
  ops::set_num_threads(before);
  EXPECT_EQ(one, two);
}

// Failed candidates without a penalty arrive as -inf (NaN too, defensively):
// they count as the worst finite reward so far and never reach the weights.
TEST(ReinforceStrategy, NonFiniteRewardsKeepTheParametersFinite) {
  const ToySpace space(4, 3);
  ReinforceStrategy s(lstm_config(), StrategyContext{&space, 2, 1});
  int64_t id = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<Observation> told;
    for (const auto& g : s.ask(8)) {
      Observation o = observe(single_objective(space, Landscape::kSeparable), g, id++);
      if (id % 3 == 0) o.scalar = -std::numeric_limits<double>::infinity();
      if (id % 5 == 0) o.scalar = std::numeric_limits<double>::quiet_NaN();
      if (round == 0) o.scalar = -std::numeric_limits<double>::infinity();
      told.push_back(o);
    }
    s.tell(told);
  }
  ASSERT_EQ(s.updates().size(), 6u);
  for (const auto& u : s.updates())
    EXPECT_TRUE(std::isfinite(u.mean_reward) && std::isfinite(u.loss));
  for (float v : parameters(s)) ASSERT_TRUE(std::isfinite(v));
}

// Every shipped space (macro, cell and sequence kinds) through the generic
// decision interface: valid proposals, updates taken, both controllers.
TEST(ReinforceStrategy, WorksOnEveryShippedSpace) {
  const char* root = std::getenv("NAS_SOURCE_DIR");
  const std::filesystem::path dir = std::filesystem::path(root ? root : ".") / "search_spaces";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u) << dir;
  std::set<space::SpaceKind> kinds;
  for (const auto& file : files) {
    config::Diagnostics diagnostics;
    const auto space = space::load_space(file.string(), diagnostics);
    ASSERT_NE(space, nullptr) << file;
    kinds.insert(space->kind());
    // A reward any space has: the fraction of decisions at their first choice.
    const ToyObjective objective = [](const space::Genotype& g) {
      ToyResult r;
      for (int v : g) r.scalar += v == 0 ? 1.0 / g.size() : 0.0;
      r.objectives = {-r.scalar};
      return r;
    };
    for (const auto& config : {lstm_config(), independent_config()}) {
      auto s = make_strategy(config, StrategyContext{space.get(), 1, 1});
      ASSERT_TRUE(s.is_ok()) << s.status().message();
      int64_t id = 0;
      for (int round = 0; round < 3; ++round) {
        std::vector<Observation> told;
        for (const auto& g : s.value()->ask(8)) {
          ASSERT_TRUE(space->valid(g)) << file;
          EXPECT_FALSE(space->canonical_string(g).empty());
          told.push_back(observe(objective, g, id++));
        }
        s.value()->tell(told);
      }
      EXPECT_EQ(dynamic_cast<ReinforceStrategy&>(*s.value()).updates().size(), 3u) << file;
    }
  }
  EXPECT_EQ(kinds.size(), 3u) << "expected macro, cell and sequence spaces";
}

// A failure told before the first finite reward of its group still counts as
// that group's worst reward, not as 0 (which could beat negative rewards).
TEST(ReinforceStrategy, NonFiniteRewardIsTheWorstOfItsGroup) {
  const ToySpace space(3, 3);
  config::ReinforceConfig c;
  c.samples_per_update = 4;
  ReinforceStrategy s(c, StrategyContext{&space, 0, 1});
  const double scalars[] = {-std::numeric_limits<double>::infinity(), -3.0, -1.0, -2.0};
  std::vector<Observation> told;
  for (const auto& g : s.ask(4)) {
    Observation o;
    o.id = static_cast<int64_t>(told.size());
    o.genotype = g;
    o.ok = o.id != 0;
    o.scalar = scalars[o.id];
    told.push_back(o);
  }
  s.tell(told);
  ASSERT_EQ(s.updates().size(), 1u);
  EXPECT_DOUBLE_EQ(s.updates()[0].mean_reward, (-3.0 - 3.0 - 1.0 - 2.0) / 4);
}

TEST(ReinforceStrategy, FactoryNamesTheBadSetting) {
  const ToySpace space(3, 3);
  const StrategyContext context{&space, 0, 1};
  auto expect_error = [&](config::ReinforceConfig c, const char* setting) {
    auto s = make_reinforce_strategy(c, context);
    ASSERT_FALSE(s.is_ok()) << setting;
    EXPECT_NE(s.status().message().find(setting), std::string::npos) << s.status().message();
  };
  config::ReinforceConfig c;
  c.samples_per_update = 0;
  expect_error(c, "samples_per_update");
  c = {};
  c.learning_rate = 0;
  expect_error(c, "learning_rate");
  c = {};
  c.baseline_decay = 1.5;
  expect_error(c, "baseline_decay");
  c = {};
  c.temperature = -1;
  expect_error(c, "temperature");
  c = {};
  c.hidden = 0;
  expect_error(c, "hidden");
  EXPECT_TRUE(make_reinforce_strategy(config::ReinforceConfig{}, context).is_ok());
}

TEST(ReinforceStrategy, RegistryBuildsIt) {
  const ToySpace space(3, 3);
  auto s = make_strategy(config::ReinforceConfig{}, StrategyContext{&space, 0, 1});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_NE(dynamic_cast<ReinforceStrategy*>(s.value().get()), nullptr);
}

}  // namespace
}  // namespace nas::search::testing
