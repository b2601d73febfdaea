// The engine with fake strategies, evaluator and cost model on the real
// mobilenet_tiny space: determinism, budget, dedup, failures, constraints,
// interrupt and resume (including kill -9 of a forked child).
#include "nas/search/engine.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nas/config/diagnostics.h"
#include "nas/search/journal.h"
#include "nas/search/outputs.h"
#include "nas/search/scoring.h"
#include "nas/space/space_loader.h"
#include "tests/nas/search/engine_fakes.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::search {
namespace {

namespace fs = std::filesystem;
using testing::FakeCostModel;
using testing::FakeEvaluator;
using testing::FakeRandomStrategy;
using testing::ScriptedStrategy;

std::unique_ptr<space::Space> tiny_space() {
  config::Diagnostics d;
  auto s = space::load_space(nas::testing::source_dir() + "/search_spaces/mobilenet_tiny.yaml", d);
  NAS_CHECK(s != nullptr);
  return s;
}

struct SearchRun {
  EngineOutcome outcome;
  std::vector<Observation> told;
  int evaluator_calls = 0;
};

// One search from scratch (or a resume when the journal exists) in `dir`.
// The registered strategy a test asks for; the fake random one when unset.
std::optional<config::StrategyConfig> g_strategy;

SearchRun run_search(const space::Space& space, const config::Experiment& e, const fs::path& dir,
               EngineOptions options = {}, std::function<void(int)> on_call = {},
               int parallelism = 1) {
  fs::create_directories(dir);
  FakeRandomStrategy fake(space, static_cast<uint64_t>(e.seed.value));
  std::unique_ptr<Strategy> real;
  if (g_strategy) {
    auto made = make_strategy(*g_strategy, {&space, static_cast<uint64_t>(e.seed.value),
                                            static_cast<int>(e.objectives.size())});
    NAS_CHECK(made.is_ok());
    real = made.take();
  }
  Strategy& strategy = real ? *real : static_cast<Strategy&>(fake);
  FakeEvaluator evaluator(space, parallelism);
  evaluator.on_call = std::move(on_call);
  FakeCostModel cost;
  EngineParts parts{&e, &space, &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  o.interrupt = options.interrupt;
  o.parallelism = options.parallelism;
  o.exhausted_after = options.exhausted_after;
  auto outcome = testing::run_engine_in(dir, parts, o);
  SearchRun r;
  if (outcome) r.outcome = outcome.take();
  r.told = fake.told;
  r.evaluator_calls = evaluator.calls;
  return r;
}

TEST(Engine, TwoRunsGiveTheSameHistoryWhateverTheParallelism) {
  const auto space = tiny_space();
  const config::Experiment e = testing::fake_experiment(30, 8);
  nas::testing::TempDir dir;
  const SearchRun a = run_search(*space, e, fs::path(dir.path()) / "a");
  EngineOptions parallel;
  parallel.parallelism = 2;
  const SearchRun b = run_search(*space, e, fs::path(dir.path()) / "b", parallel, {}, 2);
  ASSERT_EQ(a.outcome.history.size(), 30u);
  EXPECT_EQ(testing::without_timings(a.outcome.history), testing::without_timings(b.outcome.history));
  // The journal holds exactly the history.
  auto journal = read_journal(fs::path(dir.path()) / "a" / kJournalFile);
  ASSERT_TRUE(journal.is_ok());
  EXPECT_EQ(testing::without_timings(journal->records), testing::without_timings(a.outcome.history));
  // Another seed gives another history.
  const SearchRun c = run_search(*space, testing::fake_experiment(30, 8, 4), fs::path(dir.path()) / "c");
  EXPECT_NE(testing::without_timings(a.outcome.history), testing::without_timings(c.outcome.history));
}

TEST(Engine, BudgetCountsEvaluatedCandidates) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  const config::Experiment e = testing::fake_experiment(20, 8);
  ScriptedStrategy strategy({});
  FakeRandomStrategy random(*space, 1);
  FakeEvaluator evaluator(*space);
  FakeCostModel cost;
  EngineParts parts{&e, space.get(), &random, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, {});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_EQ(out->history.size(), 20u);
  EXPECT_EQ(evaluator.calls, 20);
  EXPECT_EQ(out->reason, StopReason::kCandidates);
  for (size_t i = 0; i < out->history.size(); ++i) EXPECT_EQ(out->history[i].id, static_cast<int64_t>(i));
}

TEST(Engine, KnownGenotypesAreToldAgainButNeverReevaluated) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  const space::Genotype a(space->decisions().size(), 0);
  space::Genotype b = a, c = a;
  b[0] = 1;
  c[1] = 1;
  config::Experiment e = testing::fake_experiment(3, 3);
  ScriptedStrategy strategy({{a, b, a}, {c, b, c}});
  FakeEvaluator evaluator(*space);
  FakeCostModel cost;
  EngineParts parts{&e, space.get(), &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, {});
  ASSERT_TRUE(out.is_ok());
  ASSERT_EQ(out->history.size(), 3u);
  EXPECT_EQ(evaluator.calls, 3);
  EXPECT_EQ(out->repeats, 3);  // a; then b and c within the second batch
  // Asks are full batches whatever budget is left.
  EXPECT_EQ(strategy.asks, (std::vector<int>{3, 3}));
  ASSERT_EQ(strategy.told.size(), 6u);
  EXPECT_EQ(strategy.told[5].id, 2);  // c again, within its own batch
  EXPECT_EQ(strategy.told[2].id, 0);  // a again: the earlier result
  EXPECT_EQ(strategy.told[2].objectives, strategy.told[0].objectives);
  EXPECT_EQ(out->history[2].genotype, c);
  // Only evaluated candidates are journaled.
  auto journal = read_journal(fs::path(dir.path()) / kJournalFile);
  EXPECT_EQ(journal->records.size(), 3u);
}

TEST(Engine, StopsWhenTheStrategyProposesOnlyKnownGenotypes) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  const space::Genotype a(space->decisions().size(), 0);
  config::Experiment e = testing::fake_experiment(50, 4);
  ScriptedStrategy strategy({{a}});
  FakeEvaluator evaluator(*space);
  FakeCostModel cost;
  EngineParts parts{&e, space.get(), &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  o.exhausted_after = 5;
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, {});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->reason, StopReason::kExhausted);
  EXPECT_EQ(out->history.size(), 1u);
  EXPECT_EQ(strategy.asks.size(), 6u);  // the first ask, then 5 that brought nothing new
}

TEST(Engine, FailedCandidatesAreRecordedAndSearchedPast) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  config::Experiment e = testing::fake_experiment(40, 8);
  FakeRandomStrategy strategy(*space, 5);
  FakeEvaluator evaluator(*space);
  evaluator.fail_every = 3;
  FakeCostModel cost;
  EngineParts parts{&e, space.get(), &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, {});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->history.size(), 40u);
  int failed = 0;
  for (const CandidateRecord& r : out->history) {
    if (r.status != CandidateStatus::kFailed) continue;
    ++failed;
    EXPECT_EQ(r.error, "fake failure");
    EXPECT_FALSE(r.feasible);
    EXPECT_GT(r.metrics.count("latency_ms@fake_dev"), 0u);  // cost metrics are kept
  }
  EXPECT_GT(failed, 3);
  EXPECT_LT(failed, 40);
  for (const Observation& ob : strategy.told) {
    if (ob.ok) continue;
    EXPECT_TRUE(std::isinf(ob.objectives[0]) && ob.objectives[0] > 0);
    EXPECT_TRUE(std::isinf(ob.scalar) && ob.scalar < 0);  // no penalty configured
  }
}

TEST(Engine, CostConstraintsSkipTheEvaluatorAndReportTheViolation) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  config::Experiment e = testing::fake_experiment(30, 8);
  config::ConstraintSpec c;
  c.metric.value = "latency_ms";
  c.hardware = config::Located<std::string>{testing::kDevice, {}};
  c.max = 15.0;  // 1.5 M MACs: splits mobilenet_tiny's 0.45-4 M range
  e.constraints.push_back(c);
  FakeRandomStrategy strategy(*space, 9);
  FakeEvaluator evaluator(*space);
  FakeCostModel cost;
  EngineParts parts{&e, space.get(), &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, {});
  ASSERT_TRUE(out.is_ok());
  int skipped = 0;
  const Scorer scorer(e);
  for (const CandidateRecord& r : out->history) {
    const double lat = r.metrics.at("latency_ms@fake_dev");
    if (lat > 15.0) {
      ++skipped;
      EXPECT_EQ(r.status, CandidateStatus::kSkipped);
      EXPECT_FALSE(r.feasible);
      EXPECT_EQ(r.metrics.count("accuracy"), 0u);
      EXPECT_NE(r.error.find("latency_ms@fake_dev = "), std::string::npos) << r.error;
      EXPECT_NEAR(scorer.violation(r), (lat - 15.0) / 15.0, 1e-12);
    } else {
      EXPECT_EQ(r.status, CandidateStatus::kOk);
      EXPECT_TRUE(r.feasible);
      EXPECT_EQ(scorer.violation(r), 0);
    }
  }
  EXPECT_GT(skipped, 0);
  EXPECT_EQ(evaluator.calls, 30 - skipped);
  for (const Observation& ob : strategy.told) {
    EXPECT_TRUE(ob.ok);
    if (ob.violation > 0) {
      EXPECT_FALSE(ob.feasible());
    }
  }
}

TEST(Engine, EvaluatorSeedIsMixedFromRunSeedAndGenotype) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  const SearchRun r = run_search(*space, testing::fake_experiment(5, 5), dir.path());
  for (const CandidateRecord& c : r.outcome.history) {
    const uint64_t seed = train::mix_seed(3, space::genotype_hash(c.genotype));
    EXPECT_EQ(c.metrics.at("seed_low_bits"), static_cast<double>(seed % 1000));
  }
}

TEST(Engine, InterruptStopsAfterTheCandidateInFlightAndResumeContinuesExactly) {
  const auto space = tiny_space();
  const config::Experiment e = testing::fake_experiment(30, 8);
  nas::testing::TempDir dir;
  const SearchRun whole = run_search(*space, e, fs::path(dir.path()) / "whole");
  const fs::path run = fs::path(dir.path()) / "interrupted";
  std::atomic<bool> stop{false};
  EngineOptions o;
  o.interrupt = &stop;
  const SearchRun first = run_search(*space, e, run, o, [&](int n) {
    if (n == 11) stop = true;
  });
  EXPECT_EQ(first.outcome.reason, StopReason::kInterrupted);
  EXPECT_EQ(first.outcome.history.size(), 11u);
  const SearchRun rest = run_search(*space, e, run);
  EXPECT_EQ(rest.outcome.resumed, 11);
  EXPECT_EQ(rest.evaluator_calls, 19);
  EXPECT_EQ(testing::without_timings(rest.outcome.history),
            testing::without_timings(whole.outcome.history));
  // The strategy was told exactly what the uninterrupted run told it.
  ASSERT_EQ(rest.told.size(), whole.told.size());
  for (size_t i = 0; i < rest.told.size(); ++i) {
    EXPECT_EQ(rest.told[i].id, whole.told[i].id);
    EXPECT_EQ(rest.told[i].objectives, whole.told[i].objectives);
    EXPECT_EQ(rest.told[i].scalar, whole.told[i].scalar);
  }
}

// Forks a child that runs the search and kills itself with SIGKILL just
// before its `kill_at`-th evaluation; returns once it is dead.
void run_until_killed(const space::Space& space, const config::Experiment& e, const fs::path& run,
                      int kill_at) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    run_search(space, e, run, {}, [&](int n) {
      if (n == kill_at) ::raise(SIGKILL);
    });
    ::_exit(0);  // not reached when kill_at <= the budget
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
}

TEST(Engine, ResumeAfterKillNineAtSeveralPointsMatchesAnUninterruptedRun) {
  const auto space = tiny_space();
  const config::Experiment e = testing::fake_experiment(24, 5);
  nas::testing::TempDir dir;
  const fs::path whole_dir = fs::path(dir.path()) / "whole";
  const SearchRun whole = run_search(*space, e, whole_dir);
  const Scorer scorer(e);
  const std::string whole_csv = pareto_csv(whole.outcome.history, summarize(whole.outcome.history, scorer), scorer);
  // Killed at the first evaluation, mid-batch, at a batch boundary, and
  // twice in one run folder (resume of a resume).
  for (const std::vector<int>& kills : std::vector<std::vector<int>>{{1}, {8}, {11}, {3, 9}}) {
    const fs::path run = fs::path(dir.path()) / ("killed_" + std::to_string(kills[0]) + "_" +
                                                 std::to_string(kills.size()));
    for (const int k : kills) run_until_killed(*space, e, run, k);
    const SearchRun rest = run_search(*space, e, run);
    EXPECT_EQ(testing::without_timings(rest.outcome.history),
              testing::without_timings(whole.outcome.history))
        << "killed at " << kills[0];
    EXPECT_EQ(pareto_csv(rest.outcome.history, summarize(rest.outcome.history, scorer), scorer),
              whole_csv);
    auto journal = read_journal(run / kJournalFile);
    ASSERT_TRUE(journal.is_ok());
    EXPECT_EQ(testing::without_timings(journal->records),
              testing::without_timings(whole.outcome.history));
  }
}

// Resume is replay, so it relies on the registered strategies being
// deterministic given their seed and tells: checked here end to end for
// evolution and NSGA-II. (REINFORCE runs kernels on the TBB arena, which a
// forked child cannot use; tests/nas/cli/search_command_test.cc kills the
// nas binary running it instead.)
TEST(Engine, EvolutionAndNsga2ResumeToTheSameHistory) {
  const auto space = tiny_space();
  config::Experiment e = testing::fake_experiment(40, 4);
  const std::vector<config::StrategyConfig> strategies = {config::EvolutionConfig{8, 3, 1},
                                                          config::Nsga2Config{8, 0.9, 0.1}};
  nas::testing::TempDir dir;
  for (size_t i = 0; i < strategies.size(); ++i) {
    g_strategy = strategies[i];
    const std::string name = config::strategy_name(strategies[i]);
    const SearchRun whole = run_search(*space, e, fs::path(dir.path()) / (name + "_whole"));
    ASSERT_EQ(whole.outcome.history.size(), 40u) << name;
    const fs::path run = fs::path(dir.path()) / (name + "_killed");
    run_until_killed(*space, e, run, 23);
    const SearchRun rest = run_search(*space, e, run);
    EXPECT_EQ(rest.outcome.resumed, 22) << name;
    EXPECT_EQ(testing::without_timings(rest.outcome.history),
              testing::without_timings(whole.outcome.history))
        << name;
  }
  g_strategy.reset();
}

TEST(Engine, ResumeAfterATornLastLineDropsItAndMatches) {
  const auto space = tiny_space();
  const config::Experiment e = testing::fake_experiment(12, 4);
  nas::testing::TempDir dir;
  const SearchRun whole = run_search(*space, e, fs::path(dir.path()) / "whole");
  const fs::path run = fs::path(dir.path()) / "torn";
  run_until_killed(*space, e, run, 7);
  // What a kill inside write() leaves: half of the next line.
  const std::string next = to_json_line(whole.outcome.history[6]);
  std::ofstream(run / kJournalFile, std::ios::app) << next.substr(0, next.size() / 2);
  auto journal = read_journal(run / kJournalFile);
  ASSERT_TRUE(journal.is_ok());
  EXPECT_EQ(journal->records.size(), 6u);
  EXPECT_NE(journal->warning.find("history.jsonl:7: dropped a corrupted last journal line"),
            std::string::npos)
      << journal->warning;
  const SearchRun rest = run_search(*space, e, run);
  EXPECT_EQ(testing::without_timings(rest.outcome.history),
            testing::without_timings(whole.outcome.history));
}

TEST(Engine, AFinishedRunResumedWithALargerBudgetMatchesARunWithThatBudget) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  const SearchRun big = run_search(*space, testing::fake_experiment(30, 4), fs::path(dir.path()) / "big");
  const fs::path run = fs::path(dir.path()) / "grown";
  const SearchRun small = run_search(*space, testing::fake_experiment(13, 4), run);
  ASSERT_EQ(small.outcome.history.size(), 13u);  // the 4th batch is cut after one candidate
  EXPECT_EQ(small.outcome.reason, StopReason::kCandidates);
  const SearchRun grown = run_search(*space, testing::fake_experiment(30, 4), run);
  EXPECT_EQ(grown.outcome.resumed, 13);
  EXPECT_EQ(testing::without_timings(grown.outcome.history),
            testing::without_timings(big.outcome.history));
}

TEST(Engine, ResumeWithAnotherSeedIsAClearError) {
  const auto space = tiny_space();
  nas::testing::TempDir dir;
  run_search(*space, testing::fake_experiment(6, 3), dir.path());
  const config::Experiment other = testing::fake_experiment(12, 3, 99);
  FakeRandomStrategy strategy(*space, 99);
  FakeEvaluator evaluator(*space);
  FakeCostModel cost;
  EngineParts parts{&other, space.get(), &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(other);
  o.show_progress = false;
  auto journal = read_journal(fs::path(dir.path()) / kJournalFile);
  auto out = run_engine(parts, o, fs::path(dir.path()) / kJournalFile, journal->records);
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("failed to resume: journal line 1 holds candidate 0"),
            std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace nas::search
