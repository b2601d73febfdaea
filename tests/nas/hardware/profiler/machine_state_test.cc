// The host's machine-state check (machine_state.h) and what
// `machine_state:` makes load_cost_model do with it: the factor's
// arithmetic, the printed line and warning, the scaled cost model, and
// load_cost_model with a fake probe (nothing timed) for off / check /
// rescale. One test times the tiny space for real, with a loose bound.
#include <gtest/gtest.h>

#include <cstdlib>

#include "nas/graph/architecture_builder.h"
#include "nas/hardware/load_cost_model.h"
#include "nas/hardware/profiler/host_profiler.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/scaled_cost_model.h"
#include "tests/nas/hardware/profiler/profiler_test_util.h"

namespace nas::hardware {
namespace {

using config::MachineStateMode;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(MachineState, FactorIsTheMedianRatioOfMeasuredToPredicted) {
  const MachineState s = state_from_ratios({3.0, 1.0, 2.0, 5.0}, {2.0, 1.0, 1.0, 0.0});
  EXPECT_EQ(s.networks, 3);  // the prediction of 0 is skipped
  EXPECT_DOUBLE_EQ(s.factor, 1.5);
  EXPECT_DOUBLE_EQ(s.min_ratio, 1.0);
  EXPECT_DOUBLE_EQ(s.max_ratio, 2.0);
  // One network disturbed by load does not move it.
  EXPECT_DOUBLE_EQ(state_from_ratios({1.5, 1.5, 1.5, 9.0, 1.5}, {1, 1, 1, 1, 1}).factor, 1.5);
  EXPECT_DOUBLE_EQ(state_from_ratios({1.0, 2.0}, {1, 1}).factor, 1.5);  // even count: the middle two
  EXPECT_DOUBLE_EQ(state_from_ratios({}, {}).factor, 1.0);
}

TEST(MachineState, WindowFactorsComeFromTheirOwnWindowOrTheNearestOnes) {
  // Window 0 in one state (1.0x), window 1 in the other (1.5x), window 2
  // holds one reference network only, window 3 none.
  const std::vector<int> window = {0, 0, 0, 1, 1, 1, 1, 2};
  const std::vector<double> measured = {1.0, 2.0, 3.0, 1.5, 3.0, 4.5, 9.0, 2.0};
  const std::vector<double> predicted = {1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 6.0, 1.0};
  const std::vector<double> f = window_state_factors(window, measured, predicted, 4);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  EXPECT_DOUBLE_EQ(f[1], 1.5);
  // Window 2 (ratio 2.0) borrows windows 1 and 3: median of {2.0, 1.5 x 4}.
  EXPECT_DOUBLE_EQ(f[2], 1.5);
  // Window 3 borrows window 2, then windows 1: median of {2.0, 1.5 x 4}.
  EXPECT_DOUBLE_EQ(f[3], 1.5);
  // With min_networks 1 every window with a network keeps its own.
  EXPECT_DOUBLE_EQ(window_state_factors(window, measured, predicted, 3, 1)[2], 2.0);
  // One window: the factor over all, as the state-scaled figure takes it.
  EXPECT_DOUBLE_EQ(window_state_factors(std::vector<int>(8, 0), measured, predicted, 1)[0],
                   state_from_ratios(measured, predicted).factor);
}

TEST(MachineState, ChangedBeyondTenPercent) {
  EXPECT_FALSE(machine_state_changed(1.0));
  EXPECT_FALSE(machine_state_changed(1.09));
  EXPECT_FALSE(machine_state_changed(0.91));
  EXPECT_TRUE(machine_state_changed(1.11));
  EXPECT_TRUE(machine_state_changed(0.89));
  EXPECT_TRUE(machine_state_changed(1.5));
}

MachineState state_of(double factor) {
  MachineState s;
  s.factor = factor;
  s.min_ratio = factor - 0.02;
  s.max_ratio = factor + 0.03;
  s.networks = 8;
  s.seconds = 1.25;
  s.spaces = "fbnet";
  return s;
}

TEST(MachineState, LineSaysTheFactorAndWhetherLatenciesAreScaled) {
  const std::string check = machine_state_line(state_of(1.52), MachineStateMode::kCheck);
  EXPECT_EQ(check.rfind("host machine state: 8 calibration networks of fbnet now run 1.520x", 0), 0u) << check;
  EXPECT_TRUE(contains(check, "networks 1.50-1.55x")) << check;
  EXPECT_TRUE(contains(check, "checked in 1.2 s") || contains(check, "checked in 1.3 s")) << check;
  EXPECT_TRUE(contains(check, "not scaled (machine_state: check)")) << check;
  const std::string rescale = machine_state_line(state_of(1.52), MachineStateMode::kRescale);
  EXPECT_TRUE(contains(rescale, "scaled by 1.520 (machine_state: rescale)")) << rescale;
  EXPECT_EQ(check.find('\n'), std::string::npos) << "one line";
}

TEST(MachineState, WarningOnlyWhenMoreThanTenPercentOffAndSaysWhatTheRunDoes) {
  EXPECT_EQ(machine_state_warning(state_of(1.05), MachineStateMode::kCheck), "");
  EXPECT_EQ(machine_state_warning(state_of(0.95), MachineStateMode::kRescale), "");
  const std::string check = machine_state_warning(state_of(0.65), MachineStateMode::kCheck);
  EXPECT_TRUE(contains(check, "at 0.65x the latency")) << check;
  EXPECT_TRUE(contains(check, "NOT scaled (machine_state: check)")) << check;
  EXPECT_TRUE(contains(check, "machine_state: rescale")) << check;  // how to change it
  const std::string rescale = machine_state_warning(state_of(1.5), MachineStateMode::kRescale);
  EXPECT_TRUE(contains(rescale, "ARE SCALED by 1.500 (machine_state: rescale)")) << rescale;
  EXPECT_TRUE(contains(rescale, "depend on the state")) << rescale;
}

// A fixed cost model: 2 ms and 3 mJ a node.
class FixedModel final : public CostModel {
 public:
  const std::string& name() const override { return name_; }
  CostEstimate estimate(const graph::NetworkSpec& spec, bool breakdown) const override {
    CostEstimate e;
    for (int id = 0; id < spec.size(); ++id) {
      if (spec.node(id).is_input()) continue;
      e.latency_ms += 2;
      e.energy_mj += 3;
      if (breakdown) e.breakdown.push_back({id, 2.0, 3.0, true, false});
    }
    e.peak_memory_bytes = 100;
    e.lut_coverage = 1;
    return e;
  }

 private:
  std::string name_ = "fixed";
};

graph::NetworkSpec tiny_network(const space::Space& s) {
  return graph::build_network_spec(s.decode({1, 0}).value(), 1).take();
}

TEST(ScaledCostModel, ScalesLatenciesOnly) {
  const std::string dir = testing::fresh_dir("scaled");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  const graph::NetworkSpec spec = tiny_network(*s);
  FixedModel plain;
  auto scaled = make_scaled_cost_model(std::make_unique<FixedModel>(), 1.5);
  const CostEstimate a = plain.estimate(spec, true), b = scaled->estimate(spec, true);
  EXPECT_DOUBLE_EQ(b.latency_ms, 1.5 * a.latency_ms);
  EXPECT_DOUBLE_EQ(b.energy_mj, a.energy_mj);
  EXPECT_EQ(b.peak_memory_bytes, a.peak_memory_bytes);
  EXPECT_DOUBLE_EQ(b.lut_coverage, a.lut_coverage);
  ASSERT_EQ(b.breakdown.size(), a.breakdown.size());
  for (size_t i = 0; i < a.breakdown.size(); ++i)
    EXPECT_DOUBLE_EQ(b.breakdown[i].latency_ms, 1.5 * a.breakdown[i].latency_ms);
  EXPECT_EQ(scaled->name(), "fixed");
}

// load_cost_model for host in a fresh cache, with a fake probe that counts
// its calls and reports `factor`.
struct HostRun {
  std::unique_ptr<CostModel> model;
  HostStateReport report;
  int probes = 0;
  std::string err;  // what it printed to stderr
};

HostRun load_host(const space::Space& s, const std::string& cache, MachineStateMode mode, double factor) {
  HostRun run;
  setenv("NAS_CACHE_DIR", cache.c_str(), 1);
  config::HardwareSpec host;
  host.name = "host";
  host.machine_state = mode;
  HostOptions ho;
  ho.show_progress = false;
  ho.state_report = &run.report;
  ho.measure_state = [&](const std::vector<const space::Space*>&, const CostModel&) -> Result<MachineState> {
    ++run.probes;
    return state_of(factor);
  };
  ::testing::internal::CaptureStderr();
  auto model = load_cost_model(host, {&s}, ho);
  run.err = ::testing::internal::GetCapturedStderr();
  unsetenv("NAS_CACHE_DIR");
  EXPECT_TRUE(model) << model.status().message();
  if (model) run.model = model.take();
  return run;
}

TEST(LoadCostModelMachineState, FactorAppliedExactlyUnderRescaleOnly) {
  const std::string dir = testing::fresh_dir("state_modes");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  const std::string cache = dir + "/cache";
  const graph::NetworkSpec spec = tiny_network(*s);

  HostRun off = load_host(*s, cache, MachineStateMode::kOff, 1.5);
  ASSERT_TRUE(off.model);
  EXPECT_EQ(off.probes, 0) << "off times nothing";
  EXPECT_FALSE(off.report.checked);
  EXPECT_FALSE(contains(off.err, "host machine state:")) << off.err;
  const double table_ms = off.model->estimate(spec).latency_ms;
  ASSERT_GT(table_ms, 0);

  // check (the default): the line and the warning, the table's latencies bit for bit.
  HostRun check = load_host(*s, cache, MachineStateMode::kCheck, 1.5);
  ASSERT_TRUE(check.model);
  EXPECT_EQ(check.probes, 1);
  EXPECT_TRUE(check.report.checked);
  EXPECT_EQ(check.report.mode, MachineStateMode::kCheck);
  EXPECT_DOUBLE_EQ(check.report.state.factor, 1.5);
  EXPECT_EQ(check.report.applied_factor, 1.0);
  EXPECT_EQ(check.model->estimate(spec).latency_ms, table_ms);
  EXPECT_TRUE(contains(check.err, "host machine state: 8 calibration networks of fbnet now run 1.500x")) << check.err;
  EXPECT_TRUE(contains(check.err, "NOT scaled")) << check.err;

  // The default of a HardwareSpec is check.
  EXPECT_EQ(config::HardwareSpec{}.machine_state, MachineStateMode::kCheck);

  HostRun rescale = load_host(*s, cache, MachineStateMode::kRescale, 1.5);
  ASSERT_TRUE(rescale.model);
  EXPECT_EQ(rescale.probes, 1);
  EXPECT_DOUBLE_EQ(rescale.report.applied_factor, 1.5);
  EXPECT_DOUBLE_EQ(rescale.model->estimate(spec).latency_ms, 1.5 * table_ms);
  EXPECT_TRUE(contains(rescale.err, "scaled by 1.500 (machine_state: rescale)")) << rescale.err;
  EXPECT_TRUE(contains(rescale.err, "ARE SCALED")) << rescale.err;

  // Within 10%: the line, no warning.
  HostRun close = load_host(*s, cache, MachineStateMode::kCheck, 1.04);
  EXPECT_TRUE(contains(close.err, "host machine state:")) << close.err;
  EXPECT_FALSE(contains(close.err, "warning")) << close.err;
}

TEST(LoadCostModelMachineState, ProbeErrorIsReported) {
  const std::string dir = testing::fresh_dir("state_error");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  setenv("NAS_CACHE_DIR", (dir + "/cache").c_str(), 1);
  config::HardwareSpec host;
  host.name = "host";
  HostOptions ho;
  ho.show_progress = false;
  ho.measure_state = [](const std::vector<const space::Space*>&, const CostModel&) -> Result<MachineState> {
    return Status::error("no network ran");
  };
  auto model = load_cost_model(host, {s.get()}, ho);
  unsetenv("NAS_CACHE_DIR");
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().message(), "failed to check the host's machine state: no network ran");
}

TEST(MachineStateNetworks, DeterministicCoveredAndWithinTheBudget) {
  const std::string dir = testing::fresh_dir("state_networks");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  FixedModel model;  // covers everything, 2 ms a node
  MachineStateOptions o;
  auto a = machine_state_networks({s.get()}, model, o);
  auto b = machine_state_networks({s.get()}, model, o);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a.value().size(), b.value().size());
  for (size_t i = 0; i < a.value().size(); ++i) {
    ASSERT_EQ(a.value()[i].size(), b.value()[i].size());
    for (int id = 0; id < a.value()[i].size(); ++id)
      EXPECT_EQ(a.value()[i].node(id).signature_hash, b.value()[i].node(id).signature_hash);
  }
  // Predicted timing cost: nodes x 2 ms x passes per network, within the budget.
  const int passes = (o.timing.warmup + o.timing.repeats) * (1 + o.timing.settle);
  double cost = 0;
  for (const graph::NetworkSpec& n : a.value()) cost += passes * model.estimate(n, false).latency_ms;
  EXPECT_GE(static_cast<int>(a.value().size()), o.min_networks);
  EXPECT_LE(cost, o.budget_ms);
  o.budget_ms = 1e9;
  o.max_networks = 5;
  EXPECT_EQ(machine_state_networks({s.get()}, model, o).value().size(), 5u);
  o.budget_ms = 0;
  EXPECT_EQ(static_cast<int>(machine_state_networks({s.get()}, model, o).value().size()), o.min_networks);
}

// The real check on the tiny space's table (milliseconds of timing): a
// positive factor from several networks. The tight figures are in
// docs/profiling.md, not here.
TEST(MeasureMachineState, TimesCalibrationNetworksAgainstTheTable) {
  const std::string dir = testing::fresh_dir("state_real");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  HostProfileOptions po;
  po.out_dir = dir + "/prof";
  po.repeats = 2;
  po.show_progress = false;
  po.calibration_networks = 8;
  auto report = profile_host({s.get()}, po);
  ASSERT_TRUE(report) << report.status().message();
  auto model = make_profile_cost_model(report.value().profile, report.value().lut);
  auto state = measure_machine_state({s.get()}, *model);
  ASSERT_TRUE(state) << state.status().message();
  EXPECT_GE(state.value().networks, 3);
  EXPECT_GT(state.value().factor, 0.05);
  EXPECT_LT(state.value().factor, 20.0);
  EXPECT_LE(state.value().min_ratio, state.value().factor);
  EXPECT_GE(state.value().max_ratio, state.value().factor);
  EXPECT_EQ(state.value().spaces, "tiny");
  EXPECT_LT(state.value().seconds, 10.0);
}

}  // namespace
}  // namespace nas::hardware
