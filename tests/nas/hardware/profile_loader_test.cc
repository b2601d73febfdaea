// Profile loading: every shipped profile loads; write_hardware_profile
// round-trips; each file in tests/nas/hardware/bad/ states the exact
// diagnostics it must produce (tests/nas/testing/golden_files.h).
#include "nas/hardware/profile_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nas/hardware/profile_cost_model.h"
#include "tests/nas/config/test_paths.h"
#include "tests/nas/testing/golden_files.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::hardware {
namespace {

namespace fs = std::filesystem;
constexpr const char* kBadDir = "tests/nas/hardware/bad";

std::vector<std::string> shipped_profiles() {
  config::testing::enter_repo_root();
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator("hardware_profiles"))
    if (e.path().extension() == ".yaml") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class ShippedProfile : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedProfile, LoadsAndEstimates) {
  config::testing::enter_repo_root();
  const fs::path path = fs::path("hardware_profiles") / GetParam();
  config::Diagnostics diags;
  const auto p = load_hardware_profile(path, diags);
  ASSERT_TRUE(p.has_value()) << diags.str();
  EXPECT_EQ(p->name + ".yaml", GetParam()) << "a shipped profile's name is its file name";
  EXPECT_FALSE(p->description.empty());
  EXPECT_GT(p->bandwidth_gbs, 0);
  auto model = load_profile_cost_model(path, diags);
  ASSERT_NE(model, nullptr) << diags.str();
  EXPECT_EQ(model->name(), p->name);
}

INSTANTIATE_TEST_SUITE_P(All, ShippedProfile, ::testing::ValuesIn(shipped_profiles()),
                         nas::testing::golden_test_name);

TEST(ShippedProfiles, CoverTheEightDevicesOfTheIssue) {
  const std::vector<std::string> expected = {
      "edge_tpu.yaml", "eyeriss.yaml",    "fpga.yaml",      "h200.yaml",
      "jetson_tx2.yaml", "pixel3.yaml", "raspberry_pi4.yaml", "stm32h743.yaml"};
  const std::vector<std::string> got = shipped_profiles();
  for (const std::string& e : expected)
    EXPECT_NE(std::find(got.begin(), got.end(), e), got.end()) << e;
}

HardwareProfile full_profile() {
  HardwareProfile p;
  p.name = "custom-1";
  p.description = "a \"quoted\" description: with colon";
  p.kind = DeviceKind::kNpu;
  p.cores = 2;
  p.fp32_gflops = 12.5;
  p.fp16_gflops = 25;
  p.int8_gops = 100.125;
  p.precision = Precision::kInt8;
  p.bandwidth_gbs = 3.3;
  p.memory_bytes = 1 << 30;
  p.sram_bytes = 8 << 20;
  p.l1_bytes = 32768;
  p.l3_bytes = 4 << 20;
  for (int c = 0; c < kNumOpClasses; ++c) p.efficiency[c] = 0.1 + 0.05 * c;
  p.per_layer_us = 7.25;
  p.pj_per_flop = 0.3;
  p.pj_per_dram_byte = 12;
  p.static_w = 0.125;
  p.fusion = {{"conv2d", "batch_norm", "activation"}, {"linear", "gelu"}};
  return p;
}

void expect_same(const HardwareProfile& a, const HardwareProfile& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.cores, b.cores);
  EXPECT_EQ(a.fp32_gflops, b.fp32_gflops);
  EXPECT_EQ(a.fp16_gflops, b.fp16_gflops);
  EXPECT_EQ(a.int8_gops, b.int8_gops);
  EXPECT_EQ(a.precision, b.precision);
  EXPECT_EQ(a.bandwidth_gbs, b.bandwidth_gbs);
  EXPECT_EQ(a.memory_bytes, b.memory_bytes);
  EXPECT_EQ(a.sram_bytes, b.sram_bytes);
  EXPECT_EQ(a.flash_bytes, b.flash_bytes);
  EXPECT_EQ(a.l1_bytes, b.l1_bytes);
  EXPECT_EQ(a.l2_bytes, b.l2_bytes);
  EXPECT_EQ(a.l3_bytes, b.l3_bytes);
  for (int c = 0; c < kNumOpClasses; ++c) EXPECT_EQ(a.efficiency[c], b.efficiency[c]) << c;
  EXPECT_EQ(a.per_layer_us, b.per_layer_us);
  EXPECT_EQ(a.pj_per_flop, b.pj_per_flop);
  EXPECT_EQ(a.pj_per_dram_byte, b.pj_per_dram_byte);
  EXPECT_EQ(a.static_w, b.static_w);
  EXPECT_EQ(a.fusion, b.fusion);
  EXPECT_EQ(a.lut, b.lut);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.batch, b.batch);
}

TEST(WriteHardwareProfile, RoundTripsThroughTheLoader) {
  nas::testing::TempDir dir;
  HardwareProfile p = full_profile();
  p.source = fs::path(dir.path()) / "custom.yaml";
  {
    std::ofstream(p.source) << write_hardware_profile(p);
  }
  config::Diagnostics diags;
  const auto back = load_hardware_profile(p.source, diags);
  ASSERT_TRUE(back.has_value()) << diags.str() << "\n" << write_hardware_profile(p);
  expect_same(p, *back);
}

TEST(WriteHardwareProfile, WritesTheLutRelativeToTheProfileFolder) {
  nas::testing::TempDir dir;
  HardwareProfile p = full_profile();
  p.source = fs::path(dir.path()) / "host.yaml";
  p.lut = fs::path(dir.path()) / "host.lut.csv";
  p.threads = 2;
  p.batch = 1;
  LatencyTable lut;
  lut.put({"conv2d|in=[1x8x8x4]|out_channels=8|kernel=3", 0.25, 1.5, 20, -1});
  ASSERT_TRUE(lut.save(p.lut, {"test"}).ok());
  const std::string text = write_hardware_profile(p);
  EXPECT_NE(text.find("lut: {file: \"host.lut.csv\", threads: 2, batch: 1}"), std::string::npos)
      << text;
  std::ofstream(p.source) << text;
  config::Diagnostics diags;
  const auto back = load_hardware_profile(p.source, diags);
  ASSERT_TRUE(back.has_value()) << diags.str();
  expect_same(p, *back);
}

TEST(LoadHardwareProfile, LutPathIsRelativeToTheProfileFolder) {
  nas::testing::TempDir dir;
  const fs::path sub = fs::path(dir.path()) / "dev";
  fs::create_directories(sub);
  std::ofstream(sub / "d.yaml") << "name: d\nkind: cpu\ncompute: {fp32_gflops: 1}\n"
                                   "memory: {bandwidth_gbs: 1}\nlut: d.lut.csv\n";
  std::ofstream(sub / "d.lut.csv") << "signature,latency_ms\nrelu|in=[1x4],0.5\n";
  config::Diagnostics diags;
  const auto p = load_hardware_profile(sub / "d.yaml", diags);
  ASSERT_TRUE(p.has_value()) << diags.str();
  EXPECT_EQ(p->lut, sub / "d.lut.csv");
}

TEST(LoadHardwareProfile, MalformedLutIsReportedInBothFiles) {
  nas::testing::TempDir dir;
  const fs::path yaml = fs::path(dir.path()) / "d.yaml";
  const fs::path csv = fs::path(dir.path()) / "d.lut.csv";
  std::ofstream(yaml) << "name: d\nkind: cpu\ncompute: {fp32_gflops: 1}\n"
                         "memory: {bandwidth_gbs: 1}\nlut: d.lut.csv\n";
  std::ofstream(csv) << "# comment\nsignature,latency_ms\nrelu|in=[1x4],fast\n";
  config::Diagnostics diags;
  EXPECT_FALSE(load_hardware_profile(yaml, diags).has_value());
  EXPECT_EQ(diags.str(), csv.string() + ":3:15: error: latency_ms must be a number > 0, got 'fast'\n" +
                             yaml.string() + ":5:6: error: lut: the latency table '" + csv.string() +
                             "' has errors");
}

class BadProfile : public ::testing::TestWithParam<std::string> {};

TEST_P(BadProfile, ReportsExactlyTheExpectedDiagnostics) {
  config::testing::enter_repo_root();
  const std::string path = std::string(kBadDir) + "/" + GetParam();
  const std::string expected = nas::testing::expected_diagnostics(path);
  ASSERT_FALSE(expected.empty()) << path << " has no '# expect:' first line";
  config::Diagnostics diags;
  EXPECT_FALSE(load_hardware_profile(path, diags).has_value());
  EXPECT_EQ(nas::testing::diagnostics_text(diags), expected);
}

INSTANTIATE_TEST_SUITE_P(Golden, BadProfile,
                         ::testing::ValuesIn(nas::testing::golden_files(kBadDir)),
                         nas::testing::golden_test_name);

TEST(BadProfileFolder, HoldsTheErrorCases) {
  EXPECT_GE(nas::testing::golden_files(kBadDir).size(), 12u);
}

}  // namespace
}  // namespace nas::hardware
