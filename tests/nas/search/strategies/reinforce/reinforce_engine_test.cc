// REINFORCE inside the real engine (fake evaluator and cost model on the
// mobilenet_tiny space, MnasNet reward on the fake device): an interrupted
// run, or one killed with SIGKILL, resumed by the engine's journal replay
// ends with the uninterrupted run's history and the same controller weights,
// bit for bit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/search/engine.h"
#include "nas/search/journal.h"
#include "nas/search/strategies/reinforce/reinforce_strategy.h"
#include "nas/space/space_loader.h"
#include "tests/nas/search/engine_fakes.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::search {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<space::Space> tiny_space() {
  config::Diagnostics d;
  auto s = space::load_space(nas::testing::source_dir() + "/search_spaces/mobilenet_tiny.yaml", d);
  NAS_CHECK(s != nullptr);
  return s;
}

// 40 candidates in asks of 8, rewarded with MnasNet's soft ACC x (LAT/T)^-0.07
// for T = 10 ms of the fake device's latency (macs / 1e5).
config::Experiment mnas_experiment() {
  config::Experiment e = testing::fake_experiment(40, 8, 5);
  e.scalarization.kind = config::ScalarizationKind::kMnas;
  e.scalarization.metric.value = "latency_ms";
  e.scalarization.hardware = config::Located<std::string>{testing::kDevice, {}};
  e.scalarization.target = 10.0;
  e.scalarization.w = -0.07;
  e.strategy.config = config::ReinforceConfig{};
  return e;
}

struct SearchRun {
  EngineOutcome outcome;
  std::vector<float> weights;
  size_t updates = 0;
};

SearchRun run_search(const space::Space& space, const config::Experiment& e, const fs::path& dir,
                     const std::atomic<bool>* interrupt = nullptr,
                     std::function<void(int)> on_call = {}) {
  fs::create_directories(dir);
  config::ReinforceConfig rc = std::get<config::ReinforceConfig>(e.strategy.config);
  rc.samples_per_update = 6;  // groups that straddle the engine's asks of 8
  ReinforceStrategy strategy(rc, StrategyContext{&space, static_cast<uint64_t>(e.seed.value), 2});
  testing::FakeEvaluator evaluator(space);
  evaluator.on_call = std::move(on_call);
  testing::FakeCostModel cost;
  EngineParts parts{&e, &space, &strategy, &evaluator, {&cost}};
  EngineOptions o = EngineOptions::from(e);
  o.show_progress = false;
  o.interrupt = interrupt;
  auto outcome = testing::run_engine_in(dir, parts, o);
  SearchRun r;
  if (outcome) r.outcome = outcome.take();
  for (const auto& p : strategy.policy().params().params)
    r.weights.insert(r.weights.end(), p.value.data(), p.value.data() + p.value.numel());
  r.updates = strategy.updates().size();
  return r;
}

TEST(ReinforceEngine, InterruptedAndResumedRunMatchesAnUninterruptedOne) {
  const auto space = tiny_space();
  const config::Experiment e = mnas_experiment();
  nas::testing::TempDir dir;
  const SearchRun whole = run_search(*space, e, fs::path(dir.path()) / "whole");
  ASSERT_EQ(whole.outcome.history.size(), 40u);
  EXPECT_GE(whole.updates, 6u);
  const fs::path run = fs::path(dir.path()) / "interrupted";
  std::atomic<bool> stop{false};
  const SearchRun first = run_search(*space, e, run, &stop, [&](int n) {
    if (n == 13) stop = true;
  });
  EXPECT_EQ(first.outcome.reason, StopReason::kInterrupted);
  EXPECT_LT(first.outcome.history.size(), 40u);
  const SearchRun rest = run_search(*space, e, run);
  EXPECT_EQ(rest.outcome.resumed, static_cast<int64_t>(first.outcome.history.size()));
  EXPECT_EQ(testing::without_timings(rest.outcome.history),
            testing::without_timings(whole.outcome.history));
  EXPECT_EQ(rest.weights, whole.weights);
  EXPECT_EQ(rest.updates, whole.updates);
}

TEST(ReinforceEngine, KilledAndResumedRunMatchesAnUninterruptedOne) {
  const auto space = tiny_space();
  const config::Experiment e = mnas_experiment();
  nas::testing::TempDir dir;
  const SearchRun whole = run_search(*space, e, fs::path(dir.path()) / "whole");
  for (int kill_at : {9, 27}) {
    const fs::path run = fs::path(dir.path()) / ("killed" + std::to_string(kill_at));
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      run_search(*space, e, run, nullptr, [&](int n) {
        if (n == kill_at) ::raise(SIGKILL);
      });
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    const SearchRun rest = run_search(*space, e, run);
    EXPECT_EQ(rest.outcome.resumed, kill_at - 1) << kill_at;
    EXPECT_EQ(testing::without_timings(rest.outcome.history),
              testing::without_timings(whole.outcome.history))
        << kill_at;
    EXPECT_EQ(rest.weights, whole.weights) << kill_at;
  }
}

}  // namespace
}  // namespace nas::search
