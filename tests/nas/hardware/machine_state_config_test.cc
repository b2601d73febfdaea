// `machine_state:` on the host entry of an experiment's hardware list: read
// into HardwareSpec::machine_state (default check), written back by the
// resolved config so that a resumed run keeps it; likewise the re-check
// schedule (recheck_interval, recheck_candidates). Their errors are golden
// negatives in tests/nas/config/bad/hardware_host_*.yaml.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nas/config/catalog.h"
#include "nas/config/experiment_writer.h"
#include "nas/config/load_experiment.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::config {
namespace {

namespace fs = std::filesystem;

// An experiment whose hardware list is `hardware` (YAML), in a fresh folder.
std::string write_experiment(const testing::TempDir& dir, const std::string& hardware) {
  const std::string file = dir.path() + "/exp.yaml";
  std::ofstream(file) << "name: ms\nspace: " << testing::source_dir() << "/tests/nas/config/data/space.yaml\n"
                      << "dataset: {name: fashion_mnist}\nhardware:\n" << hardware
                      << "objectives: [{metric: latency_ms, hardware: host, goal: minimize}]\n"
                         "strategy: {name: random}\nevaluator: {name: train}\nbudget: {candidates: 5}\n";
  return file;
}

MachineStateMode mode_of(const std::string& hardware) {
  testing::TempDir dir;
  Diagnostics d;
  auto e = load_experiment(write_experiment(dir, hardware), Catalog::defaults(), d);
  EXPECT_TRUE(e.has_value()) << d.str();
  if (!e) return MachineStateMode::kOff;
  EXPECT_EQ(e->hardware.size(), 1u);
  EXPECT_TRUE(e->hardware[0].is_host());
  EXPECT_EQ(e->hardware[0].name, "host");
  return e->hardware[0].machine_state;
}

TEST(HostMachineStateConfig, ReadsEachModeAndDefaultsToCheck) {
  EXPECT_EQ(mode_of("  - host\n"), MachineStateMode::kCheck);
  EXPECT_EQ(mode_of("  - host: {}\n"), MachineStateMode::kCheck);
  EXPECT_EQ(mode_of("  - host: {machine_state: check}\n"), MachineStateMode::kCheck);
  EXPECT_EQ(mode_of("  - host: {machine_state: rescale}\n"), MachineStateMode::kRescale);
  EXPECT_EQ(mode_of("  - host: {machine_state: off}\n"), MachineStateMode::kOff);  // YAML 1.1's boolean spelling, read as text
  EXPECT_EQ(mode_of("  - host:\n      machine_state: rescale\n"), MachineStateMode::kRescale);
}

TEST(HostMachineStateConfig, HostWithOptionsCountsForDuplicates) {
  testing::TempDir dir;
  Diagnostics d;
  const std::string file = write_experiment(dir, "  - host\n  - host: {machine_state: rescale}\n");
  EXPECT_FALSE(load_experiment(file, Catalog::defaults(), d).has_value());
  EXPECT_NE(d.str().find("duplicate hardware name 'host'"), std::string::npos) << d.str();
}

TEST(HostMachineStateConfig, ResolvedConfigKeepsTheMode) {
  for (MachineStateMode mode : {MachineStateMode::kOff, MachineStateMode::kCheck, MachineStateMode::kRescale}) {
    testing::TempDir dir;
    Diagnostics d;
    const std::string yaml = std::string("  - host: {machine_state: ") + machine_state_mode_name(mode) + "}\n";
    auto e = load_experiment(write_experiment(dir, yaml), Catalog::defaults(), d);
    ASSERT_TRUE(e.has_value()) << d.str();
    const std::string resolved = write_resolved_experiment(*e, dir.path() + "/runs/ms");
    // The default is written as plain `host`, as before this option existed.
    EXPECT_EQ(resolved.find("machine_state") == std::string::npos, mode == MachineStateMode::kCheck) << resolved;
    const std::string again_file = dir.path() + "/again.yaml";
    std::ofstream(again_file) << resolved;
    Diagnostics d2;
    auto again = load_experiment(again_file, Catalog::defaults(), d2);
    ASSERT_TRUE(again.has_value()) << d2.str() << "\n" << resolved;
    EXPECT_EQ(again->hardware[0].machine_state, mode) << resolved;
  }
}

HardwareSpec host_of(const testing::TempDir& dir, const std::string& hardware) {
  Diagnostics d;
  auto e = load_experiment(write_experiment(dir, hardware), Catalog::defaults(), d);
  EXPECT_TRUE(e.has_value()) << d.str();
  return e ? e->hardware.at(0) : HardwareSpec{};
}

TEST(HostMachineStateConfig, ReadsTheRecheckScheduleAndTheResolvedConfigKeepsIt) {
  testing::TempDir dir;
  const HardwareSpec none = host_of(dir, "  - host: {machine_state: rescale}\n");
  EXPECT_FALSE(none.rechecks());
  const HardwareSpec both =
      host_of(dir, "  - host: {machine_state: rescale, recheck_interval: 1m30s, recheck_candidates: 40}\n");
  ASSERT_TRUE(both.recheck_interval_s && both.recheck_candidates);
  EXPECT_EQ(*both.recheck_interval_s, 90);
  EXPECT_EQ(*both.recheck_candidates, 40);
  EXPECT_TRUE(both.rechecks());
  // The default mode (check) with a schedule: re-checks are reported only.
  const HardwareSpec check = host_of(dir, "  - host: {recheck_interval: 45}\n");
  EXPECT_EQ(check.machine_state, MachineStateMode::kCheck);
  EXPECT_EQ(check.recheck_interval_s.value_or(0), 45);
  EXPECT_FALSE(check.recheck_candidates.has_value());

  for (const std::string yaml : {"  - host: {recheck_candidates: 7}\n",
                                 "  - host: {machine_state: rescale, recheck_interval: 2m, recheck_candidates: 3}\n"}) {
    Diagnostics d;
    auto e = load_experiment(write_experiment(dir, yaml), Catalog::defaults(), d);
    ASSERT_TRUE(e.has_value()) << d.str();
    const std::string resolved = write_resolved_experiment(*e, dir.path() + "/runs/ms");
    const std::string again_file = dir.path() + "/again.yaml";
    std::ofstream(again_file) << resolved;
    Diagnostics d2;
    auto again = load_experiment(again_file, Catalog::defaults(), d2);
    ASSERT_TRUE(again.has_value()) << d2.str() << "\n" << resolved;
    const HardwareSpec& a = again->hardware[0];
    const HardwareSpec& b = e->hardware[0];
    EXPECT_EQ(a.machine_state, b.machine_state) << resolved;
    EXPECT_EQ(a.recheck_interval_s, b.recheck_interval_s) << resolved;
    EXPECT_EQ(a.recheck_candidates, b.recheck_candidates) << resolved;
  }
}

}  // namespace
}  // namespace nas::config
