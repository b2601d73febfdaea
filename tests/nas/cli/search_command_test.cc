// `nas search` end to end on nas_bench_201 with the tabular evaluator (a
// table this test writes, so no training and no host measuring): outputs,
// kill -9 / Ctrl-C and --resume equivalence, and input errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "nas/config/diagnostics.h"
#include "nas/search/journal.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "tests/nas/testing/run_nas.h"
#include "tests/nas/testing/tabular_experiment.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::run_nas;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// An experiment in `dir` (table.csv beside it) writing to dir/runs/t.
std::string write_experiment(const fs::path& dir, int candidates, const std::string& extra = "",
                             const std::string& strategy = "{name: random}") {
  if (!fs::exists(dir / "table.csv")) testing::write_hashed_table(dir / "table.csv");
  return testing::write_tabular_experiment(
      dir.string(), {.seed = 5, .candidates = candidates, .batch = 4, .strategy = strategy, .extra = extra});
}

// Journal lines with the timing fields removed.
std::string journal_without_timings(const fs::path& run) {
  auto j = search::read_journal(run / search::kJournalFile);
  EXPECT_TRUE(j.is_ok()) << j.status().message();
  std::string out;
  if (!j) return out;
  for (search::CandidateRecord r : j->records) {
    r.eval_seconds = r.cost_seconds = 0;
    out += search::to_json_line(r) + "\n";
  }
  return out;
}

size_t line_count(const fs::path& p) {
  const std::string t = testing::read_file(p);
  return static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));
}

// Starts `nas search EXP ARGS` in the background (quiet, output discarded).
pid_t spawn_search(const std::string& exp, const std::string& extra_arg = "") {
  const char* binary = std::getenv("NAS_BINARY");
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    if (extra_arg.empty())
      ::execl(binary, binary, "search", exp.c_str(), "-q", static_cast<char*>(nullptr));
    else
      ::execl(binary, binary, "search", exp.c_str(), "-q", extra_arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits until the journal has at least `lines` lines or the process ended;
// returns true when it is still running.
bool wait_for_lines(pid_t pid, const fs::path& journal, size_t lines) {
  for (int i = 0; i < 20000; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    if (fs::exists(journal) && line_count(journal) >= lines) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return true;
}

class SearchCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("NAS_BINARY") == nullptr) GTEST_SKIP() << "NAS_BINARY not set";
  }
};

TEST_F(SearchCommand, WritesJournalParetoBestAndSummary) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir.path(), 30);
  auto r = run_nas("search " + exp, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path run = fs::path(dir.path()) / "runs/t";
  EXPECT_EQ(line_count(run / "history.jsonl"), 30u);
  for (const char* f : {"config.yaml", "pareto.csv", "summary.json", "best/arch.yaml"})
    EXPECT_TRUE(fs::exists(run / f)) << f;
  EXPECT_TRUE(contains(testing::read_file(run / "pareto.csv"), "rank,id,arch,scalar,accuracy,params"));
  EXPECT_TRUE(contains(r.out, "Pareto front (")) << r.out;
  EXPECT_TRUE(contains(r.out, "best feasible: #")) << r.out;
  EXPECT_TRUE(contains(r.out, "stopped: candidate budget reached after 30 candidates")) << r.out;
  EXPECT_TRUE(contains(r.err, "candidate 30/30")) << r.err;  // the last progress line
  // The best architecture is a valid architecture file.
  auto v = run_nas("validate " + (run / "best/arch.yaml").string());
  EXPECT_EQ(v.exit_code, 0) << v.err;
  // Same seed: the same history, on one thread as on all (the batch, not
  // the thread count, decides what the strategy sees when).
  const std::string first = journal_without_timings(run);
  auto again = run_nas("search " + exp + " --force --threads 1", dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(journal_without_timings(run), first);
}

TEST_F(SearchCommand, ResumeAfterKillNineMatchesAnUninterruptedRun) {
  testing::TempDir base;
  const fs::path whole = fs::path(base.path()) / "whole";
  fs::create_directories(whole);
  const int kCandidates = 400;
  const std::string whole_exp = write_experiment(whole, kCandidates);
  auto r = run_nas("search -q " + whole_exp, whole.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string expected = journal_without_timings(whole / "runs/t");
  const std::string expected_csv = testing::read_file(whole / "runs/t/pareto.csv");
  int killed = 0;
  for (const size_t at : {1u, 37u, 150u, 333u}) {
    const fs::path dir = fs::path(base.path()) / ("kill" + std::to_string(at));
    fs::create_directories(dir);
    fs::copy_file(whole / "table.csv", dir / "table.csv");
    const std::string exp = write_experiment(dir, kCandidates);
    const pid_t pid = [&] {
      const fs::path cwd = fs::current_path();
      fs::current_path(dir);
      const pid_t p = spawn_search(exp);
      fs::current_path(cwd);
      return p;
    }();
    if (wait_for_lines(pid, dir / "runs/t/history.jsonl", at)) {
      ::kill(pid, SIGKILL);
      ++killed;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    auto resumed = run_nas("search -q --resume " + exp, dir.string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(journal_without_timings(dir / "runs/t"), expected) << "killed at " << at;
    EXPECT_EQ(testing::read_file(dir / "runs/t/pareto.csv"), expected_csv) << "killed at " << at;
  }
  EXPECT_GE(killed, 2) << "the search finished before most kills; the test did not test";
}

// Resume replays the strategy from its seed and the journal's results, so
// every registered strategy must continue to the same history.
TEST_F(SearchCommand, EveryStrategyResumesAfterKillNineToTheSameHistory) {
  testing::TempDir base;
  const std::vector<std::pair<std::string, std::string>> strategies = {
      {"evolution", "{name: evolution, population: 16, sample: 4}"},
      {"nsga2", "{name: nsga2, population: 12}"},
      {"reinforce", "{name: reinforce, samples_per_update: 4, hidden: 16}"}};
  for (const auto& [name, strategy] : strategies) {
    const fs::path whole = fs::path(base.path()) / (name + "_whole");
    const fs::path killed = fs::path(base.path()) / (name + "_killed");
    fs::create_directories(whole);
    fs::create_directories(killed);
    if (!fs::exists(fs::path(base.path()) / "table.csv")) testing::write_hashed_table(fs::path(base.path()) / "table.csv");
    fs::copy_file(fs::path(base.path()) / "table.csv", whole / "table.csv");
    fs::copy_file(fs::path(base.path()) / "table.csv", killed / "table.csv");
    const std::string whole_exp = write_experiment(whole, 200, "", strategy);
    const std::string killed_exp = write_experiment(killed, 200, "", strategy);
    ASSERT_EQ(run_nas("search -q " + whole_exp, whole.string()).exit_code, 0) << name;
    const fs::path cwd = fs::current_path();
    fs::current_path(killed);
    const pid_t pid = spawn_search(killed_exp);
    fs::current_path(cwd);
    const bool running = wait_for_lines(pid, killed / "runs/t/history.jsonl", 70);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    auto resumed = run_nas("search -q --resume " + killed_exp, killed.string());
    ASSERT_EQ(resumed.exit_code, 0) << name << ": " << resumed.err;
    EXPECT_EQ(journal_without_timings(killed / "runs/t"), journal_without_timings(whole / "runs/t"))
        << name << (running ? " (killed mid-run)" : " (finished before the kill)");
    EXPECT_EQ(testing::read_file(killed / "runs/t/pareto.csv"), testing::read_file(whole / "runs/t/pareto.csv")) << name;
  }
}

TEST_F(SearchCommand, CtrlCWritesOutputsExits130AndResumes) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir.path(), 1000);
  const fs::path run = fs::path(dir.path()) / "runs/t";
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  const pid_t pid = spawn_search(exp);
  fs::current_path(cwd);
  ASSERT_TRUE(wait_for_lines(pid, run / "history.jsonl", 20)) << "finished before the interrupt";
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_TRUE(fs::exists(run / "pareto.csv"));
  EXPECT_TRUE(fs::exists(run / "summary.json"));
  EXPECT_TRUE(contains(testing::read_file(run / "summary.json"), "\"stop_reason\": \"interrupted\""));
  const size_t done = line_count(run / "history.jsonl");
  EXPECT_LT(done, 1000u);
  auto resumed = run_nas("search -q --resume " + exp, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(line_count(run / "history.jsonl"), 1000u);
}

TEST_F(SearchCommand, CorruptedJournalLinesOnResume) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir.path(), 12);
  ASSERT_EQ(run_nas("search -q " + exp, dir.path()).exit_code, 0);
  const fs::path journal = fs::path(dir.path()) / "runs/t/history.jsonl";
  const std::string text = testing::read_file(journal);
  // A torn last line: dropped with a warning, the candidate is evaluated again.
  std::ofstream(journal, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 20);
  auto torn = run_nas("search --resume " + exp, dir.path());
  EXPECT_EQ(torn.exit_code, 0) << torn.err;
  EXPECT_TRUE(contains(torn.err, "history.jsonl:12: dropped a corrupted last journal line")) << torn.err;
  EXPECT_EQ(testing::read_file(journal).size() > 0 && line_count(journal) == 12u, true);
  // A corrupted earlier line: a clear error, the journal is left as it is.
  std::string broken = testing::read_file(journal);
  broken.replace(broken.find('\n') + 1, 4, "xxxx");
  std::ofstream(journal, std::ios::binary | std::ios::trunc) << broken;
  auto bad = run_nas("search --resume " + exp, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "history.jsonl:2: error: corrupted journal line")) << bad.err;
  EXPECT_EQ(testing::read_file(journal), broken);
}

TEST_F(SearchCommand, InputErrorsExit2AndWriteNothing) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir.path(), 5);
  auto threads = run_nas("search " + exp + " --threads 0", dir.path());
  EXPECT_EQ(threads.exit_code, 2);
  EXPECT_TRUE(contains(threads.err, "nas search: error: --threads: expected an integer >= 1, got 0"))
      << threads.err;
  auto both = run_nas("search " + exp + " --resume --force", dir.path());
  EXPECT_EQ(both.exit_code, 2);
  auto no_run = run_nas("search " + exp + " --resume", dir.path());
  EXPECT_EQ(no_run.exit_code, 2);
  EXPECT_TRUE(contains(no_run.err, "no such run folder")) << no_run.err;
  // A table row that does not parse is reported as file:line:col, before
  // any run folder exists.
  std::ofstream(fs::path(dir.path()) / "table.csv", std::ios::app) << "not-an-arch,0.5,0.5\n";
  auto table = run_nas("search " + exp, dir.path());
  EXPECT_EQ(table.exit_code, 2);
  EXPECT_TRUE(contains(table.err, "table.csv:15627:")) << table.err.substr(0, 400);
  // A different seed on resume: the journal does not match.
  fs::remove(fs::path(dir.path()) / "table.csv");
  const std::string ok = write_experiment(dir.path(), 5);
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "runs"));
  ASSERT_EQ(run_nas("search -q " + ok, dir.path()).exit_code, 0);
  std::string text = testing::read_file(ok);
  text.replace(text.find("seed: 5"), 7, "seed: 6");
  std::ofstream(ok) << text;
  auto other = run_nas("search --resume " + ok, dir.path());
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(contains(other.err, "failed to resume: journal line 1 holds candidate 0")) << other.err;
}

}  // namespace
}  // namespace nas
