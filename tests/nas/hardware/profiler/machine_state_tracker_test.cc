// Following the machine state during a search (machine_state_tracker.h):
// the re-check schedule (interval, candidates; the round trip is recorded),
// what each check applies (rescale: the host model's factor; check: never),
// a failing re-check, and the record. Fake probes and a fake clock: nothing
// is timed, and nothing depends on this machine's speed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nas/graph/architecture_builder.h"
#include "nas/hardware/load_cost_model.h"
#include "nas/hardware/profiler/machine_state_tracker.h"
#include "ops/core/parallel.h"
#include "tests/nas/hardware/profiler/profiler_test_util.h"

namespace nas::hardware {
namespace {

using config::MachineStateMode;

// A fixed table: 2 ms a node.
class FixedModel final : public CostModel {
 public:
  const std::string& name() const override { return name_; }
  CostEstimate estimate(const graph::NetworkSpec& spec, bool) const override {
    CostEstimate e;
    for (int id = 0; id < spec.size(); ++id) e.latency_ms += spec.node(id).is_input() ? 0 : 2;
    e.lut_coverage = 1;
    return e;
  }

 private:
  std::string name_ = "fixed";
};

// The probes and clock a tracker is given, scripted by the test.
struct Fakes {
  std::vector<double> factors;      // the network probe's answers, in turn (the last one repeats)
  std::vector<double> round_trips;  // likewise; 0: no answer
  double now_s = 0;
  int probes = 0, round_trip_probes = 0;
  bool fail = false;

  MachineStateProbe probe() {
    return [this](const std::vector<const space::Space*>&, const CostModel&) -> Result<MachineState> {
      if (fail) return Status::error("no network ran");
      MachineState s;
      s.factor = factors[std::min<size_t>(probes++, factors.size() - 1)];
      s.min_ratio = s.max_ratio = s.factor;
      s.networks = 3;
      s.spaces = "tiny";
      return s;
    };
  }
  RoundTripProbe round_trip() {
    return [this] {
      CoreRoundTrip rt;
      rt.ns = round_trips.empty() ? 0 : round_trips[std::min<size_t>(round_trip_probes, round_trips.size() - 1)];
      ++round_trip_probes;
      rt.runs = 5;
      rt.answered = rt.ns > 0 ? 5 : 0;
      return rt;
    };
  }
  MachineStateTracker::Clock clock() {
    return [this] { return now_s; };
  }
};

TEST(MachineStateTracker, RescaleAppliesEachRecheckFromItsCandidateOn) {
  Fakes f;
  f.factors = {1.0, 1.5, 0.8};
  f.round_trips = {60};
  auto scaled = make_scaled_cost_model(std::make_unique<FixedModel>(), 1.0);
  RecheckSchedule schedule;
  schedule.candidates = 3;
  MachineStateTracker t(MachineStateMode::kRescale, {}, scaled->inner(), scaled.get(), f.probe(), f.round_trip(),
                        schedule, f.clock());
  auto start = t.check(0, "start");
  ASSERT_TRUE(start);
  EXPECT_EQ(start.value().from_candidate, 0);
  EXPECT_DOUBLE_EQ(scaled->factor(), 1.0);
  EXPECT_DOUBLE_EQ(start.value().round_trip_ns, 60);
  for (int64_t next : {1, 2}) {
    auto c = t.maybe_recheck(next);
    ASSERT_TRUE(c);
    EXPECT_FALSE(c.value().has_value()) << next;
  }
  auto c = t.maybe_recheck(3);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->from_candidate, 3);
  EXPECT_EQ(c.value()->trigger, "candidates");
  EXPECT_DOUBLE_EQ(c.value()->applied_factor, 1.5);
  EXPECT_DOUBLE_EQ(scaled->factor(), 1.5);
  EXPECT_DOUBLE_EQ(t.applied_factor(), 1.5);
  // Counted from the candidate the last check applied from (a batch may
  // start past it: 7 - 3 >= 3).
  EXPECT_FALSE(t.maybe_recheck(5).value().has_value());
  c = t.maybe_recheck(7);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->from_candidate, 7);
  EXPECT_DOUBLE_EQ(scaled->factor(), 0.8);
  EXPECT_EQ(f.probes, 3);
}

TEST(MachineStateTracker, CheckReportsButNeverScales) {
  Fakes f;
  f.factors = {1.0, 1.6};
  FixedModel table;
  RecheckSchedule schedule;
  schedule.interval_s = 60;
  MachineStateTracker t(MachineStateMode::kCheck, {}, table, nullptr, f.probe(), f.round_trip(), schedule,
                        f.clock());
  ASSERT_TRUE(t.check(4, "start"));
  f.now_s = 59.9;
  EXPECT_FALSE(t.maybe_recheck(10).value().has_value());
  f.now_s = 60;
  auto c = t.maybe_recheck(11);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->trigger, "interval");
  EXPECT_DOUBLE_EQ(c.value()->state.factor, 1.6);
  EXPECT_DOUBLE_EQ(c.value()->applied_factor, 1.0);
  EXPECT_DOUBLE_EQ(t.applied_factor(), 1.0);
  // The interval restarts at the re-check.
  f.now_s = 119;
  EXPECT_FALSE(t.maybe_recheck(12).value().has_value());
  f.now_s = 120;
  EXPECT_TRUE(t.maybe_recheck(13).value().has_value());
}

TEST(MachineStateTracker, RoundTripIsRecordedWithEachCheckAndTriggersNothing) {
  Fakes f;
  f.factors = {1.0, 2.0};
  f.round_trips = {65, 330, 0};
  auto scaled = make_scaled_cost_model(std::make_unique<FixedModel>(), 1.0);
  RecheckSchedule schedule;
  schedule.interval_s = 600;
  MachineStateTracker t(MachineStateMode::kRescale, {}, scaled->inner(), scaled.get(), f.probe(), f.round_trip(),
                        schedule, f.clock());
  auto start = t.check(0, "start");
  ASSERT_TRUE(start);
  EXPECT_DOUBLE_EQ(start.value().round_trip_ns, 65);
  for (int i = 1; i < 100; ++i) {  // not due: nothing read, whatever the round trip would say
    f.now_s = 5.0 * i;
    EXPECT_FALSE(t.maybe_recheck(i).value().has_value());
  }
  EXPECT_EQ(f.round_trip_probes, 1);
  f.now_s = 600;
  auto c = t.maybe_recheck(100);
  ASSERT_TRUE(c && c.value());
  EXPECT_DOUBLE_EQ(c.value()->round_trip_ns, 330);
  f.now_s = 1200;
  c = t.maybe_recheck(200);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->round_trip_ns, 0) << "no answer: recorded as 0";
}

TEST(MachineStateTracker, WithoutAScheduleNothingIsEverRecheckedOrProbed) {
  Fakes f;
  f.factors = {1.2};
  f.round_trips = {65, 400};
  FixedModel table;
  MachineStateTracker t(MachineStateMode::kCheck, {}, table, nullptr, f.probe(), f.round_trip(), {}, f.clock());
  ASSERT_TRUE(t.check(0, "start"));
  for (int i = 1; i < 50; ++i) {
    f.now_s = 1000.0 * i;
    EXPECT_FALSE(t.maybe_recheck(i).value().has_value());
  }
  EXPECT_EQ(f.probes, 1);
  EXPECT_EQ(f.round_trip_probes, 1);  // with the start check only
}

TEST(MachineStateTracker, AFailedRecheckKeepsTheFactorAndWaitsForTheNextTurn) {
  Fakes f;
  f.factors = {1.5, 0.9};
  auto scaled = make_scaled_cost_model(std::make_unique<FixedModel>(), 1.0);
  RecheckSchedule schedule;
  schedule.candidates = 2;
  MachineStateTracker t(MachineStateMode::kRescale, {}, scaled->inner(), scaled.get(), f.probe(), f.round_trip(),
                        schedule, f.clock());
  ASSERT_TRUE(t.check(0, "start"));
  f.fail = true;
  auto c = t.maybe_recheck(2);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "no network ran");
  EXPECT_DOUBLE_EQ(scaled->factor(), 1.5);
  EXPECT_FALSE(t.maybe_recheck(3).value().has_value()) << "not retried before every candidate";
  f.fail = false;
  c = t.maybe_recheck(4);
  ASSERT_TRUE(c && c.value());
  EXPECT_DOUBLE_EQ(scaled->factor(), 0.9);
  f.factors = {-1};
  f.probes = 0;
  c = t.maybe_recheck(6);
  ASSERT_FALSE(c);  // a factor that is not a positive number
  EXPECT_DOUBLE_EQ(scaled->factor(), 0.9);
}

TEST(MachineStateTracker, RecordAndLineSayWhatAppliesFromWhere) {
  MachineStateCheck c;
  c.from_candidate = 17;
  c.trigger = "interval";
  c.state.factor = 1.5;
  c.state.min_ratio = 1.4;
  c.state.max_ratio = 1.6;
  c.state.networks = 8;
  c.state.seconds = 0.5;
  c.state.spaces = "fbnet";
  c.applied_factor = 1.5;
  c.round_trip_ns = 328;
  const nlohmann::json j = nlohmann::json::parse(machine_state_record(c, MachineStateMode::kRescale, 2));
  EXPECT_EQ(j["machine_state"], "rescale");
  EXPECT_EQ(j["from_candidate"], 17);
  EXPECT_EQ(j["trigger"], "interval");
  EXPECT_EQ(j["factor"], 1.5);
  EXPECT_EQ(j["applied_factor"], 1.5);
  EXPECT_EQ(j["networks"], 8);
  EXPECT_EQ(j["round_trip_ns"], 328);
  EXPECT_EQ(j["spaces"], "fbnet");
  EXPECT_EQ(j["threads"], 2);
  EXPECT_TRUE(j.contains("time"));
  const std::string line = machine_state_recheck_line(c, MachineStateMode::kRescale);
  EXPECT_NE(line.find("re-checked before candidate 17 (interval, core round trip 328 ns)"), std::string::npos) << line;
  EXPECT_NE(line.find("from candidate 17 on are scaled by 1.500"), std::string::npos) << line;
  EXPECT_NE(machine_state_recheck_line(c, MachineStateMode::kCheck).find("stay the table's"), std::string::npos);
}

// The real probe: no figure with one thread; with two, a figure that is a
// plausible cache-line round trip when the other thread answered (on a
// loaded machine it may not). The pool's thread count is restored.
TEST(CoreRoundTrip, OneThreadHasNoFigureTwoThreadsAPlausibleOne) {
  const int threads = ops::num_threads();
  ops::set_num_threads(1);
  const CoreRoundTrip one = measure_core_round_trip();
  EXPECT_EQ(one.runs, 0);
  EXPECT_EQ(one.answered, 0);
  ops::set_num_threads(2);
  RoundTripOptions o;
  o.budget_ms = 20;
  const CoreRoundTrip two = measure_core_round_trip(o);
  ops::set_num_threads(threads);
  EXPECT_GE(two.runs, 1);
  EXPECT_LE(two.answered, two.runs);
  if (two.answered > 0) {
    EXPECT_GT(two.ns, 1.0);
    EXPECT_LT(two.ns, 1e6);
  }
  EXPECT_LT(two.seconds, 1.0);
}

// load_cost_model hands the search a tracker that re-checks on the host
// entry's schedule and sets the returned model's factor.
TEST(MachineStateTracker, LoadCostModelGivesTheSearchATracker) {
  const std::string dir = testing::fresh_dir("tracker_load");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  const graph::NetworkSpec spec = graph::build_network_spec(s->decode({1, 0}).value(), 1).take();
  setenv("NAS_CACHE_DIR", (dir + "/cache").c_str(), 1);
  Fakes f;
  f.factors = {1.25, 2.0};
  config::HardwareSpec host;
  host.name = "host";
  host.machine_state = MachineStateMode::kRescale;
  host.recheck_candidates = 5;
  HostOptions ho;
  ho.show_progress = false;
  ho.measure_state = f.probe();
  ho.round_trip = f.round_trip();
  ho.clock = f.clock();
  ho.first_candidate = 10;  // a resumed search
  HostStateReport report;
  ho.state_report = &report;
  ::testing::internal::CaptureStderr();
  auto model = load_cost_model(host, {s.get()}, ho);
  ::testing::internal::GetCapturedStderr();
  unsetenv("NAS_CACHE_DIR");
  ASSERT_TRUE(model) << model.status().message();
  ASSERT_TRUE(report.checked && report.tracker);
  EXPECT_EQ(report.start.from_candidate, 10);
  EXPECT_DOUBLE_EQ(report.applied_factor, 1.25);
  const double at_start = model.value()->estimate(spec).latency_ms;
  EXPECT_FALSE(report.tracker->maybe_recheck(14).value().has_value());
  ASSERT_TRUE(report.tracker->maybe_recheck(15).value().has_value());
  EXPECT_DOUBLE_EQ(model.value()->estimate(spec).latency_ms, at_start / 1.25 * 2.0);
}

}  // namespace
}  // namespace nas::hardware
