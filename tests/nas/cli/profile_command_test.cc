// `nas profile` and `nas profile --validate`, run as a user runs them, on a
// tiny space with few repeats (the tight validation figures belong to
// docs/profiling.md, not to a timed test). Every run points NAS_CACHE_DIR at
// a temporary folder so no test writes the user's cache.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::run_nas;
using testing::TempDir;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class ProfileCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("NAS_CACHE_DIR", (fs::path(dir_.path()) / "cache").c_str(), 1);
    space_ = dir_.path() + "/tiny.yaml";
    std::ofstream(space_) << "name: tiny\nkind: macro\ninput: {channels: 1, resolution: 8}\n"
                             "stem: {width: 8, kernel: 3, stride: 1}\n"
                             "stages:\n"
                             "  - {block: [conv, mbconv], kernel: [3, 5], expand: 2, width: 8, depth: 1, stride: 1}\n"
                             "head: {classes: 2}\n";
  }
  void TearDown() override { unsetenv("NAS_CACHE_DIR"); }

  // A usage error: exit 2, one "nas profile: error:" message, nothing on stdout.
  void expect_usage_error(const std::string& args, const std::string& message) {
    auto r = run_nas("profile " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << args << "\n" << r.out;
    EXPECT_TRUE(contains(r.err, "nas profile: error: ")) << args << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, message)) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "cache")) << args << ": wrote the cache";
  }

  TempDir dir_;
  std::string space_;
};

TEST_F(ProfileCommand, BadFlagsExit2WithoutMeasuring) {
  expect_usage_error("--space " + space_ + " --threads 0", "--threads must be >= 1, got 0");
  expect_usage_error("--space " + space_ + " --threads -3", "--threads must be >= 1");
  expect_usage_error("--space " + space_ + " --batch 0", "--batch must be >= 1, got 0");
  expect_usage_error("--space " + space_ + " --repeats 0", "--repeats must be >= 1, got 0");
  expect_usage_error("--space " + space_ + " --samples 5", "--samples, --seed and --csv go with --validate");
  expect_usage_error("--validate --space " + space_ + " --clock sundial", "--clock 'sundial' is not one of wall, thread-cpu");
  expect_usage_error("--validate --space " + space_ + " --threads 2 --clock thread-cpu", "--clock thread-cpu needs --threads 1");
  expect_usage_error("--space " + space_ + " --clock thread-cpu", "--clock thread-cpu needs --threads 1");
  expect_usage_error("--validate", "--validate needs exactly one --space");
  expect_usage_error("--validate --space " + space_ + " --space " + space_, "--validate needs exactly one --space");
  expect_usage_error("--validate --space " + space_ + " --samples 0", "--samples must be >= 1, got 0");
  expect_usage_error("--space " + space_ + " --calibrate -1", "--calibrate must be >= 0, got -1");
  expect_usage_error("--validate --space " + space_ + " --csv " + dir_.path() + "/no/such/rows.csv",
                     "--csv: no folder");
  expect_usage_error("--space " + space_ + " --bogus", "unrecognised option '--bogus'");
  expect_usage_error("--space " + space_ + " --batch two", "--batch");
}

TEST_F(ProfileCommand, UnknownSpaceExits2AndSuggests) {
  expect_usage_error("--space mobilenet_tin", "did you mean 'mobilenet_tiny'?");
  expect_usage_error("--space no/such/space.yaml", "is neither a file nor a shipped space");
}

TEST_F(ProfileCommand, BadSpaceFileExits2WithItsLocation) {
  const std::string bad = dir_.path() + "/bad.yaml";
  std::ofstream(bad) << "name: bad\nkind: macro\nbogus_key: 1\n";
  auto r = run_nas("profile --space " + bad);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(contains(r.err, bad + ":")) << r.err;
  EXPECT_TRUE(contains(r.err, "error:")) << r.err;
}

TEST_F(ProfileCommand, ProfilesIntoTheCacheThenReusesIt) {
  auto r = run_nas("profile --space " + space_ + " --threads 1 --repeats 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"host: ", "1 threads, batch 1", "peak FP32: ", "GFLOP/s", "bandwidth: ", "GB/s",
                           "executor overhead: ", "tiny: ", "exact (every one of 4 genotypes decoded)",
                           "measured now, 0 from the cache", "median noise", "wrote "})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  // The cache folder: <NAS_CACHE_DIR>/host/<cpu>-t1-b1/.
  const fs::path host = fs::path(dir_.path()) / "cache" / "host";
  ASSERT_TRUE(fs::is_directory(host));
  fs::path folder;
  for (const auto& e : fs::directory_iterator(host)) folder = e.path();
  EXPECT_TRUE(folder.filename().string().ends_with("-t1-b1")) << folder;
  EXPECT_TRUE(fs::exists(folder / "host.yaml"));
  EXPECT_TRUE(fs::exists(folder / "host.lut.csv"));
  EXPECT_TRUE(contains(r.out, (folder / "host.yaml").string())) << r.out;

  auto again = run_nas("profile --space " + space_ + " --threads 1 --repeats 2");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, ": 0 measured now, 14 from the cache")) << again.out;
}

TEST_F(ProfileCommand, CalibrateZeroKeepsEntriesAsMeasured) {
  const std::string out = dir_.path() + "/prof";
  auto r = run_nas("profile --space " + space_ + " --threads 1 --repeats 2 --calibrate 0 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "calibrated on")) << r.out;
  std::ifstream lut(out + "/host.lut.csv");
  std::stringstream text;
  text << lut.rdbuf();
  EXPECT_TRUE(contains(text.str(), "# entries as measured (no calibration in the last run)")) << text.str();
  auto calibrated = run_nas("profile --space " + space_ + " --threads 1 --repeats 2 --calibrate 8 --out " + out + "2");
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  EXPECT_TRUE(contains(calibrated.out, "calibrated on 8 whole networks")) << calibrated.out;
}

TEST_F(ProfileCommand, OutFolderAndBatch) {
  const std::string out = dir_.path() + "/prof";
  auto r = run_nas("profile --space " + space_ + " --threads 1 --batch 2 --repeats 2 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "batch 2")) << r.out;
  EXPECT_TRUE(fs::exists(out + "/host.yaml"));
  std::ifstream lut(out + "/host.lut.csv");
  std::stringstream text;
  text << lut.rdbuf();
  EXPECT_TRUE(contains(text.str(), "in=[2x8x8x1]")) << text.str();
  EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "cache"));  // --out: the cache is not touched

  const std::string file = dir_.path() + "/a_file";
  std::ofstream(file) << "x";
  expect_usage_error("--space " + space_ + " --out " + file, "exists and is not a folder");
}

TEST_F(ProfileCommand, ValidateOnATinySpace) {
  const std::string csv = dir_.path() + "/rows.csv";
  auto r = run_nas("profile --validate --space " + space_ + " --threads 1 --repeats 3 --samples 6 --seed 1 --csv " + csv);
  auto cpu = run_nas("profile --validate --space " + space_ + " --threads 1 --repeats 3 --samples 3 --clock thread-cpu");
  EXPECT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_TRUE(contains(cpu.out, "measured by the executor thread's CPU time")) << cpu.out;
  EXPECT_TRUE(contains(cpu.out, "-t1-b1-cpuclock/host.yaml")) << cpu.out;  // its own table
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"tiny: 6 networks: within +-5%: ", "within +-10%: ", "RMSE ", "Kendall tau ",
                           "mean measured/predicted ", "predictions 100.0% from measured entries",
                           "calibrated on 48 whole networks (not validated on)", "of networks from undisturbed passes",
                           "with the table as profiled", "with the calibration re-fitted on the 48 calibration networks",
                           "machine state: the 48 calibration networks now run ",
                           // 4 genotypes, all among the 48 calibration networks: validation cannot avoid them.
                           "note: the space is too small to avoid its calibration networks: 6 of these networks"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  // A loose bound: the table predicts these 8x8 networks within a factor of 2
  // on average, even on a loaded machine.
  const size_t at = r.out.find("mean measured/predicted ");
  ASSERT_NE(at, std::string::npos);
  const double ratio = std::atof(r.out.c_str() + at + std::string("mean measured/predicted ").size());
  EXPECT_GT(ratio, 0.5) << r.out;
  EXPECT_LT(ratio, 2.0) << r.out;
  // The machine-state figure is a ratio of measured to predicted latency of
  // the calibration networks: positive and, on any machine, within 2x.
  const std::string state_key = "calibration networks now run ";
  const size_t st = r.out.find(state_key);
  ASSERT_NE(st, std::string::npos);
  const double state = std::atof(r.out.c_str() + st + state_key.size());
  EXPECT_GT(state, 0.5) << r.out;
  EXPECT_LT(state, 2.0) << r.out;
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "arch,nodes,latency_ms_measured,spread_pct,latency_ms_predicted,lut_coverage,undisturbed_passes,"
                    "latency_ms_predicted_refit,window,latency_ms_predicted_tracked");
  int rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 6);
}

}  // namespace
}  // namespace nas
