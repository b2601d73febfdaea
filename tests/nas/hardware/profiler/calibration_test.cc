// The calibration of freshly measured entries on whole networks, and the
// sampling that keeps calibration networks out of the validation.
#include "nas/hardware/profiler/latency_calibration.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "nas/hardware/op_class.h"
#include "nas/hardware/profiler/host_profiler.h"
#include "tests/nas/hardware/profiler/profiler_test_util.h"

namespace nas::hardware {
namespace {

CalibrationOptions quick_calibration() {
  CalibrationOptions o;
  o.networks = 16;
  o.timing.warmup = 1;
  o.timing.repeats = 4;
  o.timing.sweeps = 2;
  return o;
}

// The tiny space's table as measured (no calibration) and its configurations.
struct Measured {
  std::unique_ptr<space::Space> space;
  LatencyTable lut;
  std::vector<OpConfig> configs;
};

Measured measure_tiny(const std::string& name) {
  const std::string dir = testing::fresh_dir(name);
  Measured m;
  m.space = testing::load_tiny_space(testing::write_tiny_space(dir));
  HostProfileOptions o;
  o.repeats = 2;
  o.warmup = 1;
  o.out_dir = dir + "/prof";
  o.show_progress = false;
  o.calibration_networks = 0;
  auto r = profile_host({m.space.get()}, o);
  EXPECT_TRUE(r) << r.status().message();
  EXPECT_EQ(r.value().calibration.networks, 0);
  m.lut = r.value().lut;
  OpConfigSet set;
  EXPECT_TRUE(collect_op_configs({m.space.get()}, CollectOptions{}, set));
  m.configs = set.configs();
  return m;
}

double table_total(const LatencyTable& lut) {
  double s = 0;
  for (const LatencyEntry& e : lut.entries()) s += e.latency_ms;
  return s;
}

TEST(LatencyCalibration, BringsAnInflatedTableBackToTheMeasuredNetworks) {
  Measured m = measure_tiny("calibrate_inflated");
  ASSERT_FALSE(m.configs.empty());
  // Every entry three times what was measured: the networks then measure
  // about a third of the sum of their entries, and the fit must undo it.
  LatencyTable inflated = m.lut;
  for (LatencyEntry e : m.lut.entries()) {
    e.latency_ms *= 3;
    inflated.put(e);
  }
  const double before = table_total(inflated);
  auto c = calibrate_latency_table({m.space.get()}, m.configs, inflated, quick_calibration());
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c.value().networks, 16);
  EXPECT_GT(c.value().mean_ratio_before, 0.1);
  EXPECT_LT(c.value().mean_ratio_before, 0.8);
  EXPECT_GT(c.value().rmse_pct_before, 25.0);
  EXPECT_LT(c.value().rmse_pct_after, c.value().rmse_pct_before / 2);
  EXPECT_LT(table_total(inflated), before * 0.8);
  bool any_fitted = false;
  for (int k = 0; k < kNumOpClasses; ++k) {
    if (!c.value().fitted[k]) {
      EXPECT_EQ(c.value().scale[k], 1.0);
    }
    any_fitted = any_fitted || c.value().fitted[k];
    EXPECT_GE(c.value().scale[k], 0.25);
    EXPECT_LE(c.value().scale[k], 4.0);
  }
  EXPECT_TRUE(any_fitted);
  for (const LatencyEntry& e : inflated.entries()) EXPECT_GT(e.latency_ms, 0);
}

TEST(LatencyCalibration, EntriesNotMeasuredNowStayAsTheyAre) {
  Measured m = measure_tiny("calibrate_fixed");
  LatencyTable lut = m.lut;
  auto none = calibrate_latency_table({m.space.get()}, {}, lut, quick_calibration());
  ASSERT_TRUE(none);
  EXPECT_EQ(none.value().networks, 0);
  // Only the first configuration is free: every other entry keeps its value.
  auto one = calibrate_latency_table({m.space.get()}, std::span(m.configs).first(1), lut, quick_calibration());
  ASSERT_TRUE(one) << one.status().message();
  for (const OpConfig& c : std::span(m.configs).subspan(1))
    EXPECT_EQ(lut.find(c.signature_hash)->latency_ms, m.lut.find(c.signature_hash)->latency_ms) << c.signature;
  int fitted = 0;
  for (int k = 0; k < kNumOpClasses; ++k) fitted += one.value().fitted[k] ? 1 : 0;
  EXPECT_EQ(fitted, 1);
}

TEST(LatencyCalibration, NetworksAreDeterministicPerSpace) {
  const std::string dir = testing::fresh_dir("calibrate_networks");
  auto a = testing::load_tiny_space(testing::write_tiny_space(dir, "a"));
  auto b = testing::load_tiny_space(testing::write_tiny_space(dir, "b", "16"));
  const std::vector<const space::Space*> spaces = {a.get(), b.get()};
  auto first = calibration_networks(spaces, 1, 10, 1);
  auto again = calibration_networks(spaces, 1, 10, 1);
  ASSERT_TRUE(first && again);
  ASSERT_EQ(first.value().size(), 5u);  // 10 networks split over 2 spaces
  for (size_t i = 0; i < first.value().size(); ++i) EXPECT_EQ(first.value()[i].arch, again.value()[i].arch);
}

TEST(SampleNetworks, SkipsExcludedGenotypesWhileTheSpaceAllows) {
  const std::string dir = testing::fresh_dir("sample_exclude");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  std::unordered_set<std::string> all;
  for (int block = 0; block < 2; ++block)
    for (int kernel = 0; kernel < 2; ++kernel) all.insert(s->canonical_string(space::Genotype{block, kernel}));
  ASSERT_EQ(all.size(), 4u);
  std::unordered_set<std::string> three = all;
  const std::string kept = s->canonical_string(space::Genotype{1, 0});
  three.erase(kept);
  int overlap = -1;
  auto some = sample_networks(*s, 12, 3, 1, &three, &overlap);
  ASSERT_TRUE(some);
  ASSERT_EQ(some.value().size(), 12u);
  EXPECT_EQ(overlap, 0);
  for (const SampledNetwork& n : some.value()) EXPECT_EQ(n.arch, kept);
  // Every genotype excluded: after 1,000 skipped draws it takes them, and says so.
  auto forced = sample_networks(*s, 5, 3, 1, &all, &overlap);
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced.value().size(), 5u);
  EXPECT_EQ(overlap, 5);
}

}  // namespace
}  // namespace nas::hardware
