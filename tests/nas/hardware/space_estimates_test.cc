// The cost model on real networks of every shipped space: its counts agree
// with the NetworkSpec's own, estimates are deterministic, and estimate()
// without a breakdown allocates nothing once warm (the search calls it for
// every candidate on every profile).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "nas/graph/architecture_builder.h"
#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/profile_loader.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "tests/nas/config/test_paths.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Counts every allocation of this test binary. (GCC 12 flags malloc/free in
// replaced operators as mismatched once they are inlined; they are a pair.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace nas::hardware {
namespace {

std::vector<graph::NetworkSpec> sample_specs(const std::string& space_name, int n) {
  config::testing::enter_repo_root();
  config::Diagnostics diags;
  const auto space = space::load_space("search_spaces/" + space_name + ".yaml", diags);
  EXPECT_NE(space, nullptr) << diags.str();
  std::vector<graph::NetworkSpec> specs;
  if (!space) return specs;
  train::Rng rng(7);
  for (int i = 0; i < n; ++i) {
    auto arch = space->decode(space::sample_uniform(*space, rng));
    EXPECT_TRUE(arch.is_ok());
    if (!arch) continue;
    auto spec = graph::build_network_spec(arch.value(), 1);
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    if (spec) specs.push_back(spec.take());
  }
  return specs;
}

std::unique_ptr<CostModel> shipped(const std::string& name) {
  config::testing::enter_repo_root();
  config::Diagnostics diags;
  auto model = load_profile_cost_model("hardware_profiles/" + name + ".yaml", diags);
  EXPECT_NE(model, nullptr) << diags.str();
  return model;
}

class SpaceEstimates : public ::testing::TestWithParam<std::string> {};

TEST_P(SpaceEstimates, CountsMatchTheSpecAndRepeat) {
  const auto specs = sample_specs(GetParam(), 5);
  const auto model = shipped("jetson_tx2");
  for (const graph::NetworkSpec& s : specs) {
    const CostEstimate e = model->estimate(s, true);
    EXPECT_EQ(e.params, s.param_count());
    EXPECT_EQ(e.macs, s.total_cost().macs);
    EXPECT_GT(e.latency_ms, 0);
    EXPECT_GT(e.energy_mj, 0);
    EXPECT_GT(e.activation_bytes, 0);
    double sum = 0;
    for (const NodeCost& c : e.breakdown) sum += c.latency_ms;
    EXPECT_NEAR(sum, e.latency_ms, 1e-9 * e.latency_ms);
    const CostEstimate again = model->estimate(s);
    EXPECT_EQ(again.latency_ms, e.latency_ms);  // bit for bit
    EXPECT_EQ(again.energy_mj, e.energy_mj);
    EXPECT_EQ(again.peak_memory_bytes, e.peak_memory_bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, SpaceEstimates,
                         ::testing::Values("mobilenet_tiny", "nas_bench_201", "ofa_mobilenetv3",
                                           "darts", "vit_tiny", "rnn_seq"));

TEST(SpaceEstimates, EstimateWithoutBreakdownDoesNotAllocate) {
  const auto specs = sample_specs("ofa_mobilenetv3", 3);
  ASSERT_EQ(specs.size(), 3u);
  const auto model = shipped("raspberry_pi4");
  LatencyTable lut;
  lut.put({specs[0].node(1).signature, 0.5, 0, 0, -1});
  config::Diagnostics diags;
  const auto profile = load_hardware_profile("hardware_profiles/raspberry_pi4.yaml", diags);
  ASSERT_TRUE(profile.has_value()) << diags.str();
  const auto with_lut = make_profile_cost_model(*profile, lut);
  for (const auto& s : specs) model->estimate(s), with_lut->estimate(s);  // warm the scratch
  const long before = g_allocations.load();
  double sink = 0;
  for (int rep = 0; rep < 10; ++rep)
    for (const auto& s : specs) sink += model->estimate(s).latency_ms + with_lut->estimate(s).latency_ms;
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(sink, 0);
}

// A coarse check of the shipped figures' units: on a MobileNetV3 the devices
// rank as their peaks and bandwidths say (a GHz/MHz or GB/MB slip breaks it).
TEST(SpaceEstimates, ShippedDevicesRankAsTheirPeaksSay) {
  const auto specs = sample_specs("ofa_mobilenetv3", 1);
  ASSERT_EQ(specs.size(), 1u);
  double previous = 0;
  for (const char* device : {"h200", "jetson_tx2", "pixel3", "raspberry_pi4", "stm32h743"}) {
    const double ms = shipped(device)->estimate(specs[0]).latency_ms;
    EXPECT_GT(ms, previous) << device;
    previous = ms;
  }
}

TEST(SpaceEstimates, McuRejectsLargeNetworksAndAcceptsTinyOnes) {
  const auto model = shipped("stm32h743");
  for (const auto& s : sample_specs("ofa_mobilenetv3", 3)) {
    const CostEstimate e = model->estimate(s);
    EXPECT_FALSE(e.feasible);
    EXPECT_NE(e.infeasible_reason.find("flash_bytes 2097152"), std::string::npos) << e.infeasible_reason;
  }
  for (const auto& s : sample_specs("mobilenet_tiny", 3)) EXPECT_TRUE(model->estimate(s).feasible);
}

}  // namespace
}  // namespace nas::hardware
