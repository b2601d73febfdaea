// `hardware: host`'s machine-state check end to end (docs/profiling.md,
// "Machine state at search time"): `nas search` prints the labelled line,
// records each session's factor in machine_state.jsonl, keeps the history
// bit for bit under the default (check) and off, and multiplies every host
// latency by exactly the recorded factor under rescale, each re-check's
// factor from the candidate its record names, and a resumed run keeps its
// journaled latencies; `nas cost --machine-state`. nas_bench_201 with the tabular evaluator (no training);
// the host table is measured once (quickly) into the test's own cache.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

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

// The journal with timings zeroed, and each candidate's host latency.
struct History {
  std::string text;
  std::vector<double> host_latency_ms;
};

History read_history(const fs::path& run) {
  History h;
  auto j = search::read_journal(run / search::kJournalFile);
  EXPECT_TRUE(j.is_ok()) << j.status().message();
  if (!j) return h;
  for (search::CandidateRecord r : j->records) {
    r.eval_seconds = r.cost_seconds = 0;
    h.text += search::to_json_line(r) + "\n";
    h.host_latency_ms.push_back(r.metrics.at("latency_ms@host"));
  }
  return h;
}

std::vector<nlohmann::json> state_records(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::istringstream in(testing::read_file((run / "machine_state.jsonl").string()));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

class HostMachineState : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("NAS_BINARY") == nullptr) GTEST_SKIP() << "NAS_BINARY not set";
  }
};

TEST_F(HostMachineState, SearchRecordsTheFactorAndScalesExactlyUnderRescaleOnly) {
  testing::TempDir dir;
  ASSERT_EQ(setenv("NAS_CACHE_DIR", (dir.path() + "/cache").c_str(), 1), 0);
  testing::write_hashed_table(fs::path(dir.path()) / "table.csv");
  // A quick table first (what the searches below load from the cache).
  auto profile = run_nas("profile --space nas_bench_201 --repeats 2 --calibrate 8");
  ASSERT_EQ(profile.exit_code, 0) << profile.err;
  // --validate from the cache: the state-scaled figures beside the others,
  // and the table is read, not rewritten.
  auto validate = run_nas("profile --validate --space nas_bench_201 --repeats 2 --calibrate 8 --samples 3");
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  for (const char* part : {"with the table as profiled", "machine state: the 8 calibration networks now run ",
                           "state-scaled: the table's predictions times one state factor",
                           "state-tracked: the table's predictions times the state factor of the calibration networks "
                           "timed in the same window",
                           "nas_bench_201 within +-10%: as profiled ",
                           "with the calibration re-fitted on the 8 calibration networks",
                           "nothing new to measure, files unchanged"})
    EXPECT_TRUE(contains(validate.out, part)) << part << "\n" << validate.out;
  const fs::path run = fs::path(dir.path()) / "runs/t";
  auto search = [&](const std::string& hardware, const std::string& flags) {
    const std::string exp = testing::write_tabular_experiment(
        dir.path(), {.seed = 3, .candidates = 8, .batch = 4, .strategy = "{name: random}", .extra = hardware});
    return run_nas("search " + exp + " " + flags, dir.path());
  };

  // The default (check): the line on stderr, one record, the table's latencies.
  auto check = search("hardware: [host]\n", "");
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_TRUE(contains(check.err, "host machine state: ")) << check.err;
  EXPECT_TRUE(contains(check.err, "not scaled (machine_state: check)")) << check.err;
  const History table = read_history(run);
  ASSERT_EQ(table.host_latency_ms.size(), 8u);
  auto records = state_records(run);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["machine_state"], "check");
  EXPECT_EQ(records[0]["applied_factor"].get<double>(), 1.0);
  EXPECT_GT(records[0]["factor"].get<double>(), 0);
  EXPECT_GE(records[0]["networks"].get<int>(), 1);

  // check again: the same history bit for bit, whatever the factor measured now.
  auto again = search("hardware: [host]\n", "--force");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_history(run).text, table.text);

  // off: nothing timed, nothing printed or recorded, the same history.
  auto off = search("hardware:\n  - host: {machine_state: off}\n", "--force");
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_FALSE(contains(off.err, "host machine state")) << off.err;
  EXPECT_FALSE(fs::exists(run / "machine_state.jsonl"));
  EXPECT_EQ(read_history(run).text, table.text);

  // rescale: every host latency is the table's times the recorded factor.
  auto rescale = search("hardware:\n  - host: {machine_state: rescale}\n", "--force");
  ASSERT_EQ(rescale.exit_code, 0) << rescale.err;
  EXPECT_TRUE(contains(rescale.err, "(machine_state: rescale)")) << rescale.err;
  records = state_records(run);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["machine_state"], "rescale");
  const double factor = records[0]["applied_factor"].get<double>();
  EXPECT_EQ(factor, records[0]["factor"].get<double>());
  const History scaled = read_history(run);
  ASSERT_EQ(scaled.host_latency_ms.size(), table.host_latency_ms.size());
  for (size_t i = 0; i < scaled.host_latency_ms.size(); ++i)
    EXPECT_NEAR(scaled.host_latency_ms[i], factor * table.host_latency_ms[i], 1e-12 * scaled.host_latency_ms[i]) << i;
  // The resolved config keeps the choice (a resumed run rescales too).
  EXPECT_TRUE(contains(testing::read_file((run / "config.yaml").string()), "machine_state: rescale"));
  // --resume appends the new session's record.
  auto resumed = run_nas("search " + dir.path() + "/exp.yaml --resume", dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(state_records(run).size(), 2u);

  // nas cost --machine-state on the same cached table.
  auto cost = run_nas("cost --space nas_bench_201 --hardware host --samples 3 --machine-state rescale");
  ASSERT_EQ(cost.exit_code, 0) << cost.err;
  EXPECT_TRUE(contains(cost.err, "host machine state: ")) << cost.err;
  EXPECT_TRUE(contains(cost.err, "# nas cost: host latencies above are the table's times ")) << cost.err;
  auto cost_off = run_nas("cost --space nas_bench_201 --hardware host --samples 3 --machine-state off");
  ASSERT_EQ(cost_off.exit_code, 0) << cost_off.err;
  EXPECT_FALSE(contains(cost_off.err, "host machine state")) << cost_off.err;
  unsetenv("NAS_CACHE_DIR");
}

// The applied factor of candidate k: that of the last record, in file
// order, whose from_candidate is <= k (machine_state.jsonl's rule).
double applied_factor_of(const std::vector<nlohmann::json>& records, int64_t k) {
  double f = 0;
  for (const nlohmann::json& r : records)
    if (r["from_candidate"].get<int64_t>() <= k) f = r["applied_factor"].get<double>();
  return f;
}

TEST_F(HostMachineState, RechecksApplyFromTheirCandidateAndResumeKeepsJournaledLatencies) {
  testing::TempDir dir;
  ASSERT_EQ(setenv("NAS_CACHE_DIR", (dir.path() + "/cache").c_str(), 1), 0);
  testing::write_hashed_table(fs::path(dir.path()) / "table.csv");
  auto profile = run_nas("profile --space nas_bench_201 --repeats 2 --calibrate 8");
  ASSERT_EQ(profile.exit_code, 0) << profile.err;
  const fs::path run = fs::path(dir.path()) / "runs/t";
  auto search = [&](int candidates, const std::string& hardware, const std::string& flags) {
    const std::string exp = testing::write_tabular_experiment(
        dir.path(), {.seed = 3, .candidates = candidates, .batch = 4, .strategy = "{name: random}", .extra = hardware});
    return run_nas("search " + exp + " " + flags, dir.path());
  };
  // The table's latencies (check, no re-checks).
  auto plain = search(12, "hardware: [host]\n", "");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const History table = read_history(run);
  ASSERT_EQ(table.host_latency_ms.size(), 12u);

  // check with re-checks: reported and recorded, the history bit for bit the table's.
  auto check = search(12, "hardware:\n  - host: {recheck_candidates: 3}\n", "--force");
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(read_history(run).text, table.text);
  auto records = state_records(run);
  ASSERT_GE(records.size(), 3u) << "a re-check at least every 3 candidates, at batch boundaries at worst";
  EXPECT_EQ(records[0]["trigger"], "start");
  EXPECT_EQ(records[0]["from_candidate"], 0);
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["machine_state"], "check");
    EXPECT_EQ(records[i]["applied_factor"].get<double>(), 1.0);
    EXPECT_GT(records[i]["from_candidate"].get<int64_t>(), records[i - 1]["from_candidate"].get<int64_t>());
  }
  EXPECT_TRUE(contains(check.err, "host machine state, re-checked before candidate ")) << check.err;

  // rescale with re-checks, 8 candidates: each candidate's latency is the
  // table's times the factor in force when it was evaluated.
  auto first = search(8, "hardware:\n  - host: {machine_state: rescale, recheck_candidates: 3}\n", "--force");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const History before = read_history(run);
  ASSERT_EQ(before.host_latency_ms.size(), 8u);
  records = state_records(run);
  ASSERT_GE(records.size(), 2u);
  EXPECT_TRUE(contains(testing::read_file((run / "config.yaml").string()), "recheck_candidates: 3"));
  // Resumed with a larger budget: the journaled candidates keep their
  // latencies (nothing re-measured for them); the new session's start check
  // applies from candidate 8.
  auto resumed = search(12, "hardware:\n  - host: {machine_state: rescale, recheck_candidates: 3}\n", "--resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const History after = read_history(run);
  ASSERT_EQ(after.host_latency_ms.size(), 12u);
  for (size_t k = 0; k < 8; ++k) EXPECT_EQ(after.host_latency_ms[k], before.host_latency_ms[k]) << k;
  const auto all = state_records(run);
  ASSERT_GT(all.size(), records.size());
  EXPECT_EQ(all[records.size()]["trigger"], "start");
  EXPECT_EQ(all[records.size()]["from_candidate"], 8);
  for (size_t k = 0; k < 12; ++k) {
    const double f = applied_factor_of(all, static_cast<int64_t>(k));
    EXPECT_GT(f, 0) << k;
    EXPECT_NEAR(after.host_latency_ms[k], f * table.host_latency_ms[k], 1e-12 * after.host_latency_ms[k]) << k;
  }
  unsetenv("NAS_CACHE_DIR");
}

TEST_F(HostMachineState, CostFlagErrorsExit2BeforeMeasuring) {
  auto bad = run_nas("cost --space mobilenet_tiny --hardware host --machine-state scale");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(bad.err, "nas cost: error: --machine-state 'scale' is not one of off, check, rescale\n");
  auto profile = run_nas("cost --space mobilenet_tiny --hardware raspberry_pi4 --machine-state rescale");
  EXPECT_EQ(profile.exit_code, 2);
  EXPECT_EQ(profile.out, "");
  EXPECT_TRUE(contains(profile.err, "nas cost: error: --machine-state goes with --hardware host")) << profile.err;
}

}  // namespace
}  // namespace nas
