// The cost model's arithmetic on small networks whose figures are worked out
// by hand here (the comments show the derivation), so a change in the
// roofline, fusion, energy or liveness rules shows up as a number.
#include "nas/hardware/profile_cost_model.h"

#include <gtest/gtest.h>

#include "nas/graph/network_spec.h"

namespace nas::hardware {
namespace {

using graph::NetworkSpec;
using graph::TensorRef;

// 1 GFLOP/s and 1 GB/s: one flop or one byte costs 1e-6 ms.
HardwareProfile unit_profile() {
  HardwareProfile p;
  p.name = "unit";
  p.fp32_gflops = 1;
  p.bandwidth_gbs = 1;
  p.per_layer_us = 10;  // 0.01 ms
  p.efficiency[static_cast<int>(OpClass::kConv)] = 0.5;
  return p;
}

ops::OpAttrs conv(int64_t out, int kernel) {
  ops::OpAttrs a;
  a.out_channels = out;
  a.kernel = kernel;
  return a;
}

// input [1,8,8,4] -> conv2d 3x3 to 8 channels -> batch_norm -> relu.
//   conv: macs 8*8*8*9*4 = 18432; reads 4*(256 + 288 weights) = 2176 B; writes 4*512 = 2048 B
//   bn:   flops 2*512 = 1024; reads 4*(512 + 16 gamma/beta) = 2112 B; writes 2048 B
//   relu: flops 512; reads 2048 B; writes 2048 B
NetworkSpec conv_bn_relu() {
  NetworkSpec s;
  s.add_input("x", ops::Shape{1, 8, 8, 4});
  EXPECT_TRUE(s.then("conv", "conv2d", conv(8, 3)).is_ok());
  EXPECT_TRUE(s.then("bn", "batch_norm").is_ok());
  EXPECT_TRUE(s.then("act", "relu").is_ok());
  return s;
}

TEST(ProfileCostModel, NodeCountsAreTheHandComputedOnes) {
  const NetworkSpec s = conv_bn_relu();
  const auto& r = s.cost_records();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].macs, 18432);
  EXPECT_EQ(r[1].bytes_read, 2176);
  EXPECT_EQ(r[1].bytes_written, 2048);
  EXPECT_EQ(r[2].flops_other, 1024);
  EXPECT_EQ(r[2].bytes_read, 2112);
  EXPECT_EQ(r[3].flops_other, 512);
  EXPECT_EQ(r[1].consumers, 1);
  EXPECT_EQ(r[1].last_consumer, 2);
  EXPECT_EQ(r[0].op_id, -1);
}

TEST(ProfileCostModel, RooflineTakesTheSlowerOfComputeAndMemoryPlusOverhead) {
  const NetworkSpec s = conv_bn_relu();
  const auto model = make_profile_cost_model(unit_profile(), std::nullopt);
  const CostEstimate e = model->estimate(s, true);
  ASSERT_EQ(e.breakdown.size(), 3u);
  // conv: compute 36864 flops / (1 GFLOP/s * 0.5) = 0.073728 ms > memory 4224 B = 0.004224 ms.
  EXPECT_NEAR(e.breakdown[0].latency_ms, 0.073728 + 0.01, 1e-12);
  // bn: memory 4160 B = 0.00416 ms > compute 1024 flops = 0.001024 ms.
  EXPECT_NEAR(e.breakdown[1].latency_ms, 0.00416 + 0.01, 1e-12);
  // relu: memory 4096 B > compute 512 flops.
  EXPECT_NEAR(e.breakdown[2].latency_ms, 0.004096 + 0.01, 1e-12);
  EXPECT_NEAR(e.latency_ms, 0.083728 + 0.01416 + 0.014096, 1e-12);
  EXPECT_EQ(e.macs, 18432);
  EXPECT_EQ(e.params, 288 + 16);
  EXPECT_EQ(e.lut_coverage, 0);
  EXPECT_FALSE(e.breakdown[1].fused);
  EXPECT_TRUE(e.feasible);
}

TEST(ProfileCostModel, PointwiseAndDepthwiseConvsUseTheirOwnEfficiency) {
  NetworkSpec s;
  s.add_input("x", ops::Shape{1, 8, 8, 4});
  ASSERT_TRUE(s.then("pw", "conv2d", conv(8, 1)).is_ok());  // macs 8*8*8*4 = 2048
  HardwareProfile p = unit_profile();
  p.per_layer_us = 0;
  p.efficiency[static_cast<int>(OpClass::kPointwise)] = 0.25;
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s);
  // 4096 flops / 0.25 = 16384e-6 ms; memory 4*(256+32+512) = 3200 B.
  EXPECT_NEAR(e.latency_ms, 0.016384, 1e-12);
}

TEST(ProfileCostModel, FusedChainDropsFollowerOverheadAndIntermediateTraffic) {
  const NetworkSpec s = conv_bn_relu();
  HardwareProfile p = unit_profile();
  p.fusion = {{"conv2d", "batch_norm", "activation"}};
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s, true);
  ASSERT_EQ(e.breakdown.size(), 3u);
  // conv keeps its overhead; its 2048 B output stays on chip: memory 2176 B.
  EXPECT_NEAR(e.breakdown[0].latency_ms, 0.073728 + 0.01, 1e-12);
  // bn: no overhead; reads only gamma/beta (64 B), writes nothing: compute 1024 flops.
  EXPECT_NEAR(e.breakdown[1].latency_ms, 0.001024, 1e-12);
  // relu: no overhead; writes its 2048 B output: memory-bound.
  EXPECT_NEAR(e.breakdown[2].latency_ms, 0.002048, 1e-12);
  EXPECT_FALSE(e.breakdown[0].fused);
  EXPECT_TRUE(e.breakdown[1].fused);
  EXPECT_TRUE(e.breakdown[2].fused);
}

TEST(ProfileCostModel, FusionStopsWhereTheIntermediateTensorHasAnotherReader) {
  // conv's output feeds both bn and an add: it must reach memory, so bn
  // starts its own kernel.
  NetworkSpec s;
  s.add_input("x", ops::Shape{1, 8, 8, 4});
  ASSERT_TRUE(s.then("conv", "conv2d", conv(8, 3)).is_ok());
  ASSERT_TRUE(s.then("bn", "batch_norm").is_ok());
  ASSERT_TRUE(s.add_node("sum", "add", {}, {TensorRef{1, 0}, TensorRef{2, 0}}).is_ok());
  HardwareProfile p = unit_profile();
  p.fusion = {{"conv2d", "batch_norm"}};
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s, true);
  EXPECT_FALSE(e.breakdown[1].fused);
  EXPECT_NEAR(e.breakdown[1].latency_ms, 0.00416 + 0.01, 1e-12);
}

TEST(ProfileCostModel, FusionRuleMustMatchInOrder) {
  const NetworkSpec s = conv_bn_relu();
  HardwareProfile p = unit_profile();
  p.fusion = {{"batch_norm", "conv2d"}, {"conv2d", "relu6"}};
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s, true);
  for (const NodeCost& c : e.breakdown) EXPECT_FALSE(c.fused) << c.node;
}

TEST(ProfileCostModel, EnergyIsFlopsPlusDramBytesPlusStaticPower) {
  NetworkSpec s;
  s.add_input("x", ops::Shape{1, 8, 8, 4});
  ASSERT_TRUE(s.then("conv", "conv2d", conv(8, 3)).is_ok());
  HardwareProfile p = unit_profile();
  p.pj_per_flop = 10;
  p.pj_per_dram_byte = 100;
  p.static_w = 2;
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s);
  // 36864 flops * 10 pJ + 4224 B * 100 pJ + 2 W * 0.083728 ms, in mJ.
  EXPECT_NEAR(e.energy_mj, 36864 * 10e-9 + 4224 * 100e-9 + 2 * 0.083728, 1e-12);
  EXPECT_FALSE(e.energy_measured);
}

TEST(ProfileCostModel, ModelsEnergyOnlyWithEnergyFigures) {
  HardwareProfile p = unit_profile();
  EXPECT_FALSE(make_profile_cost_model(p, std::nullopt)->models_energy());
  LatencyTable lut;
  lut.put({"relu|in=[1x4]", 0.5, 0, 0, -1});
  EXPECT_FALSE(make_profile_cost_model(p, lut)->models_energy());
  lut.put({"relu|in=[1x8]", 0.5, 0, 0, 0.25});
  EXPECT_TRUE(make_profile_cost_model(p, lut)->models_energy());
  p.static_w = 1;
  EXPECT_TRUE(make_profile_cost_model(p, std::nullopt)->models_energy());
}

TEST(ProfileCostModel, PeakMemoryFollowsLiveness) {
  // Chain: at most two activations live at once: 2 * 2048 B.
  const NetworkSpec chain = conv_bn_relu();
  const auto model = make_profile_cost_model(unit_profile(), std::nullopt);
  const CostEstimate c = model->estimate(chain);
  EXPECT_EQ(c.activation_bytes, 4096);
  EXPECT_EQ(c.peak_memory_bytes, 4096 + 4 * (288 + 16));

  // Branch: a = conv(x); b = conv1x1(a); add(a, b). While add runs, a, b and
  // the sum are live: 3 * 2048 B (x, 1024 B, was freed after a).
  NetworkSpec s;
  s.add_input("x", ops::Shape{1, 8, 8, 4});
  ASSERT_TRUE(s.then("a", "conv2d", conv(8, 3)).is_ok());
  ASSERT_TRUE(s.then("b", "conv2d", conv(8, 1)).is_ok());
  ASSERT_TRUE(s.add_node("sum", "add", {}, {TensorRef{1, 0}, TensorRef{2, 0}}).is_ok());
  const CostEstimate b = model->estimate(s);
  EXPECT_EQ(b.activation_bytes, 3 * 2048);
  EXPECT_EQ(b.params, 288 + 64);
  EXPECT_EQ(b.params, s.param_count());
}

TEST(ProfileCostModel, Int8PrecisionUsesItsPeakAndOneByteElements) {
  const NetworkSpec s = conv_bn_relu();
  HardwareProfile p = unit_profile();
  p.precision = Precision::kInt8;
  p.int8_gops = 4;
  const CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s, true);
  // conv: 36864 ops / (4 GOP/s * 0.5) = 0.018432 ms.
  EXPECT_NEAR(e.breakdown[0].latency_ms, 0.018432 + 0.01, 1e-12);
  EXPECT_EQ(e.activation_bytes, 1024);
  EXPECT_EQ(e.peak_memory_bytes, 1024 + 304);
}

TEST(ProfileCostModel, LutEntriesOverrideTheRooflineAndSetCoverage) {
  const NetworkSpec s = conv_bn_relu();
  LatencyTable lut;
  lut.put({s.node(1).signature, 0.5, 1.0, 10, -1});
  const CostEstimate e = make_profile_cost_model(unit_profile(), lut)->estimate(s, true);
  EXPECT_TRUE(e.breakdown[0].measured);
  EXPECT_FALSE(e.breakdown[1].measured);
  EXPECT_DOUBLE_EQ(e.breakdown[0].latency_ms, 0.5);
  const double total = 0.5 + 0.01416 + 0.014096;
  EXPECT_NEAR(e.latency_ms, total, 1e-12);
  EXPECT_NEAR(e.lut_coverage, 0.5 / total, 1e-12);
  EXPECT_FALSE(e.energy_measured);
}

TEST(ProfileCostModel, FullyMeasuredNetworkHasFullCoverageAndMeasuredEnergy) {
  const NetworkSpec s = conv_bn_relu();
  LatencyTable lut;
  for (int i = 1; i < s.size(); ++i) lut.put({s.node(i).signature, 0.25, 0, 0, 0.125});
  const CostEstimate e = make_profile_cost_model(unit_profile(), lut)->estimate(s);
  EXPECT_DOUBLE_EQ(e.lut_coverage, 1.0);
  EXPECT_DOUBLE_EQ(e.latency_ms, 0.75);
  EXPECT_TRUE(e.energy_measured);
  EXPECT_DOUBLE_EQ(e.energy_mj, 0.375);
}

TEST(ProfileCostModel, McuLimitsMakeTheNetworkInfeasible) {
  const NetworkSpec s = conv_bn_relu();
  HardwareProfile p = unit_profile();
  p.kind = DeviceKind::kMcu;
  p.sram_bytes = 4000;   // activation peak 4096 B does not fit
  p.flash_bytes = 1000;  // 1216 B of weights do not fit
  CostEstimate e = make_profile_cost_model(p, std::nullopt)->estimate(s);
  EXPECT_FALSE(e.feasible);
  EXPECT_EQ(e.infeasible_reason,
            "activation peak 4096 bytes exceeds sram_bytes 4000; parameters 1216 bytes exceed "
            "flash_bytes 1000");
  p.sram_bytes = 4096;
  p.flash_bytes = 1216;
  e = make_profile_cost_model(p, std::nullopt)->estimate(s);
  EXPECT_TRUE(e.feasible) << e.infeasible_reason;
  p.memory_bytes = 5000;
  e = make_profile_cost_model(p, std::nullopt)->estimate(s);
  EXPECT_FALSE(e.feasible);
  EXPECT_EQ(e.infeasible_reason, "peak memory 5312 bytes exceeds capacity_bytes 5000");
}

TEST(ProfileCostModel, EstimatesAreRepeatableAcrossCalls) {
  const NetworkSpec a = conv_bn_relu();
  const auto model = make_profile_cost_model(unit_profile(), std::nullopt);
  const CostEstimate first = model->estimate(a);
  NetworkSpec big;
  big.add_input("x", ops::Shape{1, 16, 16, 4});
  for (int i = 0; i < 20; ++i) {
    std::string name = "c";  // (not "c" + to_string: GCC 12 -Wrestrict false positive)
    name += std::to_string(i);
    ASSERT_TRUE(big.then(name, "conv2d", conv(4, 3)).is_ok());
  }
  model->estimate(big);  // grows the scratch; the small net must not see stale state
  const CostEstimate again = model->estimate(a);
  EXPECT_EQ(first.latency_ms, again.latency_ms);
  EXPECT_EQ(first.activation_bytes, again.activation_bytes);
}

}  // namespace
}  // namespace nas::hardware
