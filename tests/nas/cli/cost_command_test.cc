// `nas cost` run as a user runs it: the CSV, its determinism, --archs files,
// --breakdown, MCU infeasibility, and every user error (exit 2, no stdout).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

using testing::run_nas;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// RFC 4180 rows (quoted fields may hold commas).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') cell += '"', ++i;
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(cell), cell.clear();
    } else if (c == '\n') {
      row.push_back(cell), cell.clear();
      rows.push_back(row), row.clear();
    } else {
      cell += c;
    }
  }
  return rows;
}

const std::vector<std::string> kHeader = {
    "arch", "latency_ms", "energy_mj", "peak_memory_bytes", "params", "macs", "lut_coverage",
    "feasible", "latency_source", "energy_source", "infeasible_reason"};

TEST(CostCommand, SamplesGiveOneModelledRowEach) {
  const auto r = run_nas("cost --space mobilenet_tiny --hardware raspberry_pi4 --samples 4 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 5u) << r.out;
  EXPECT_EQ(rows[0], kHeader);
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), kHeader.size()) << r.out;
    EXPECT_GT(std::stod(rows[i][1]), 0);            // latency_ms
    EXPECT_GT(std::stod(rows[i][2]), 0);            // energy_mj
    EXPECT_GT(std::stoll(rows[i][3]), std::stoll(rows[i][4]));  // peak memory > params (bytes > count)
    EXPECT_EQ(rows[i][6], "0");                     // no LUT: nothing measured
    EXPECT_EQ(rows[i][7], "1");
    EXPECT_EQ(rows[i][8], "modelled");
    EXPECT_EQ(rows[i][9], "modelled");
  }
  EXPECT_TRUE(contains(r.err, "4 architectures on raspberry_pi4")) << r.err;
  EXPECT_TRUE(contains(r.err, "modelled")) << r.err;
  // Same seed, same bytes.
  EXPECT_EQ(run_nas("cost --space mobilenet_tiny --hardware raspberry_pi4 --samples 4 --seed 3").out, r.out);
}

TEST(CostCommand, ArchsFileGivesTheSameFiguresAsTheSamples) {
  const auto sampled = run_nas("cost --space nas_bench_201 --hardware jetson_tx2 --samples 3");
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  const auto rows = parse_csv(sampled.out);
  ASSERT_EQ(rows.size(), 4u);
  testing::TempDir dir;
  const std::string file = dir.path() + "/archs.txt";
  {
    std::ofstream out(file);
    out << "# three architectures\n" << rows[1][0] << "\n\n" << rows[2][0] << "\n" << rows[3][0] << "\n";
  }
  const auto listed = run_nas("cost --space nas_bench_201 --hardware jetson_tx2 --archs " + file);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, sampled.out);
}

TEST(CostCommand, BadArchsLineIsFileLineColAndNoOutput) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/archs.txt";
  const auto good = parse_csv(run_nas("cost --space nas_bench_201 --hardware jetson_tx2 --samples 1").out);
  ASSERT_EQ(good.size(), 2u);
  {
    std::ofstream out(file);
    out << good[1][0] << "\n  not-an-arch\n";
  }
  const auto r = run_nas("cost --space nas_bench_201 --hardware jetson_tx2 --archs " + file);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(contains(r.err, file + ":2:3: error: not an architecture of space 'nas_bench_201'")) << r.err;
}

TEST(CostCommand, BreakdownGivesOneRowPerNode) {
  const auto r = run_nas("cost --space mobilenet_tiny --hardware jetson_tx2 --samples 1 --breakdown");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"arch", "node", "name", "op", "signature", "latency_ms",
                                               "energy_mj", "latency_source", "energy_source", "fused"}));
  bool some_fused = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 10u);
    EXPECT_TRUE(contains(rows[i][4], rows[i][3] + "|")) << rows[i][4];  // signature starts with the op
    some_fused = some_fused || rows[i][9] == "1";
  }
  EXPECT_TRUE(some_fused) << "jetson_tx2 fuses conv2d -> batch_norm -> activation";
}

TEST(CostCommand, McuLimitsMarkArchitecturesInfeasible) {
  const auto r = run_nas("cost --space ofa_mobilenetv3 --hardware stm32h743 --samples 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][7], "0");
    EXPECT_TRUE(contains(rows[i][10], "exceed flash_bytes 2097152")) << rows[i][10];
  }
}

TEST(CostCommand, ProfileAndSpaceGivenAsPaths) {
  const std::string root = testing::source_dir();
  const auto r = run_nas("cost --space " + root + "/search_spaces/mobilenet_tiny.yaml --hardware " + root +
                         "/hardware_profiles/edge_tpu.yaml --samples 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_csv(r.out).size(), 2u);
}

// The documented workflow for a custom device: list the signatures with
// --breakdown, write a LUT for them, point the profile at it.
TEST(CostCommand, ProfileWithALutOfEverySignatureIsFullyMeasured) {
  const std::string cmd = " --space mobilenet_tiny --samples 3 --seed 5";
  const auto nodes = parse_csv(run_nas("cost --hardware raspberry_pi4 --breakdown" + cmd).out);
  ASSERT_GT(nodes.size(), 1u);
  testing::TempDir dir;
  {
    std::ofstream lut(dir.path() + "/dev.lut.csv");
    lut << "signature,latency_ms,spread_pct,repeats,energy_mj\n";
    std::vector<std::string> seen;
    for (size_t i = 1; i < nodes.size(); ++i) {
      if (std::find(seen.begin(), seen.end(), nodes[i][4]) != seen.end()) continue;
      seen.push_back(nodes[i][4]);
      lut << nodes[i][4] << ",0.125,1.0,20,0.5\n";
    }
    std::ofstream(dir.path() + "/dev.yaml")
        << "name: dev\nkind: cpu\ncompute: {fp32_gflops: 10}\nmemory: {bandwidth_gbs: 2}\n"
           "lut: {file: dev.lut.csv, batch: 1}\n";
  }
  const auto r = run_nas("cost --hardware " + dir.path() + "/dev.yaml" + cmd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 4u);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][6], "1");  // lut_coverage
    EXPECT_EQ(rows[i][8], "measured");
    EXPECT_EQ(rows[i][9], "measured");
    // Every non-input node measured at 0.125 ms and 0.5 mJ.
    EXPECT_NEAR(std::stod(rows[i][2]) / std::stod(rows[i][1]), 4.0, 1e-3) << rows[i][1];
  }
}

TEST(CostCommand, ProfileWithoutEnergyFiguresSaysNone) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/noenergy.yaml")
      << "name: noenergy\nkind: cpu\ncompute: {fp32_gflops: 10}\nmemory: {bandwidth_gbs: 2}\n";
  const auto r = run_nas("cost --space mobilenet_tiny --samples 1 --hardware " + dir.path() + "/noenergy.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][2], "0");
  EXPECT_EQ(rows[1][9], "none");
  EXPECT_TRUE(contains(r.err, "noenergy has no energy figures")) << r.err;
}

// `--hardware host` measures this machine into a fresh cache (the profiler's
// load_cost_model) and gives measured latencies and no energy figures.
TEST(CostCommand, HostIsMeasuredAndLabelledMeasured) {
  testing::TempDir cache;
  ASSERT_EQ(setenv("NAS_CACHE_DIR", cache.path().c_str(), 1), 0);
  const auto r = run_nas("cost --space mobilenet_tiny --hardware host --samples 2");
  unsetenv("NAS_CACHE_DIR");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GT(std::stod(rows[i][1]), 0);
    EXPECT_GT(std::stod(rows[i][6]), 0.9) << "the host LUT covers the space it was measured for";
    EXPECT_NE(rows[i][8], "modelled");
    EXPECT_EQ(rows[i][9], "none");
  }
  EXPECT_TRUE(contains(r.err, "2 architectures on host")) << r.err;
}

TEST(CostCommand, UserErrorsExit2WithOneClearMessage) {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::string bad_profile = testing::source_dir() + "/tests/nas/hardware/bad/bad_kind.yaml";
  const std::vector<Case> cases = {
      {"cost --space mobilenet_tiny --hardware rasberry_pi4",
       "nas cost: error: --hardware: unknown hardware profile 'rasberry_pi4' (did you mean "
       "'raspberry_pi4'? valid hardware profiles: host, "},
      {"cost --space mobilnet_tiny --hardware raspberry_pi4",
       "nas cost: error: --space: unknown space 'mobilnet_tiny' (did you mean 'mobilenet_tiny'?"},
      {"cost --space mobilenet_tiny --hardware no/such.yaml",
       "nas cost: error: --hardware: file 'no/such.yaml' does not exist"},
      {"cost --space mobilenet_tiny --hardware " + bad_profile,
       "bad_kind.yaml:3:7: error: kind: expected one of cpu, gpu, npu, mcu, got 'tpu'"},
      {"cost --space mobilenet_tiny --hardware raspberry_pi4 --samples 0",
       "nas cost: error: --samples must be >= 1, got 0"},
      {"cost --space mobilenet_tiny --hardware raspberry_pi4 --batch 0",
       "nas cost: error: --batch must be >= 1, got 0"},
      {"cost --space mobilenet_tiny --hardware raspberry_pi4 --samples 2 --archs x.txt",
       "nas cost: error: give --archs or --samples, not both"},
      {"cost --space mobilenet_tiny --hardware raspberry_pi4 --archs /no/such/archs.txt",
       "nas cost: error: --archs: cannot read '/no/such/archs.txt'"},
      {"cost --hardware raspberry_pi4", "nas cost: error: missing argument space"},
      {"cost --space mobilenet_tiny --hardware raspberry_pi4 --bogus", "nas cost: error: unrecognised option '--bogus'"},
  };
  for (const Case& c : cases) {
    const auto r = run_nas(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << "\n" << r.out;
    EXPECT_TRUE(contains(r.err, c.message)) << c.args << "\n" << r.err;
  }
}

// `nas validate` recognises hardware profiles (here rather than in cli_test.cc
// because the profile checks belong to the hardware work).
TEST(ValidateHardwareProfile, ShippedProfileIsValidAndBadOneGivesItsDiagnostics) {
  const std::string root = testing::source_dir();
  const auto good = run_nas("validate " + root + "/hardware_profiles/stm32h743.yaml");
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_TRUE(contains(good.out, "valid hardware profile 'stm32h743' (mcu)")) << good.out;
  const auto bad = run_nas("validate " + root + "/tests/nas/hardware/bad/unknown_top_key.yaml");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_TRUE(contains(bad.err, "unknown_top_key.yaml:5:1: error: unknown key 'memroy' in hardware "
                                "profile (did you mean 'memory'?)"))
      << bad.err;
}

}  // namespace
}  // namespace nas
