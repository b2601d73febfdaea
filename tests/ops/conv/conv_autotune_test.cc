// The autotuner's cache: the file round trip, a corrupt file ignored with a
// warning, and pins taking precedence.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_autotune.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

std::string temp_path(const char* name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("nas_conv_autotune_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

ConvParams small() {
  ConvParams p;
  p.batch = 2; p.in_h = 8; p.in_w = 8; p.in_c = 8; p.out_c = 16;
  p.kernel_h = p.kernel_w = 3; p.pad = 1;
  return p;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ConvAutotune, ChoiceRoundTripsThroughTheFile) {
  const std::string path = temp_path("roundtrip/conv_algos.txt");
  std::filesystem::remove(path);
  set_conv_autotune_path(path);
  clear_conv_autotune_memory();
  const ConvParams p = small();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kAuto);
  const auto x = testing::random_floats(p.input_shape().numel(), 1);
  const auto w = testing::random_floats(p.weight_numel(), 2);
  std::vector<float> y(p.output_shape().numel());
  conv2d_forward(p, x.data(), w.data(), nullptr, y.data());  // times and stores
  const ConvAlgo chosen = conv2d_resolved_algo(p, ConvPass::kForward);
  ASSERT_NE(chosen, ConvAlgo::kAuto);
  EXPECT_TRUE(conv_algo_applies(chosen, p));
  // The result left in y is the chosen algorithm's and correct.
  const auto ref = testing::ref_conv_forward(p, x, w, {});
  for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref.value[i], 1e-4);
  ConvParams pinned = p;
  pinned.algo = chosen;
  std::vector<float> y_chosen(y.size());
  conv2d_forward(pinned, x.data(), w.data(), nullptr, y_chosen.data());
  EXPECT_EQ(y, y_chosen);  // bit for bit: the last run was the chosen algorithm's
  const std::string text = read_all(path);
  EXPECT_NE(text.find(conv_autotune_key(p, ConvPass::kForward) + " " + conv_algo_name(chosen)),
            std::string::npos)
      << text;
  // A fresh process (memory cleared) reads the choice back from the file.
  clear_conv_autotune_memory();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), chosen);
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kBackwardData), ConvAlgo::kAuto);
  // A stored entry is what later calls use, even one timing would not pick.
  conv_autotune_store(p, ConvPass::kBackwardData, ConvAlgo::kIm2col, 1.5);
  clear_conv_autotune_memory();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kBackwardData), ConvAlgo::kIm2col);
  set_conv_autotune_path("");
  clear_conv_autotune_memory();
}

TEST(ConvAutotune, CorruptFileIsIgnoredWithAWarning) {
  const std::string path = temp_path("corrupt.txt");
  const ConvParams p = small();
  {
    std::ofstream out(path, std::ios::trunc);
    out << "# header\n" << conv_autotune_key(p, ConvPass::kForward) << " im2col 1.0\n";
    out << "64 14 14 not-a-number\n";
  }
  set_conv_autotune_path(path);
  clear_conv_autotune_memory();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kAuto);  // valid line dropped too
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("corrupt.txt:3: warning: ignoring corrupt conv autotune cache file"),
            std::string::npos)
      << err;
  // Garbage bytes and unknown algorithm names are corrupt too, never a crash.
  for (const char* junk : {"\x01\x02\xff\xfe garbage", "1 2 3 4 5 3 3 1 1 1 1 fwd 2 avx2 fastest 1.0",
                           "1 2 3 4 5 3 3 1 1 1 1 sideways 2 avx2 direct 1.0"}) {
    std::ofstream(path, std::ios::trunc) << junk << "\n";
    clear_conv_autotune_memory();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kAuto);
    EXPECT_NE(::testing::internal::GetCapturedStderr().find("warning"), std::string::npos);
  }
  // Storing rewrites the file in the valid format.
  conv_autotune_store(p, ConvPass::kForward, ConvAlgo::kDirect, 0.5);
  clear_conv_autotune_memory();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kDirect);
  set_conv_autotune_path("");
  clear_conv_autotune_memory();
}

TEST(ConvAutotune, FileFromABuildWithOtherAlgorithmsIsTimedAgain) {
  const std::string path = temp_path("stale/conv_algos.txt");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const ConvParams p = small();
  // What a build before winograd_s2 wrote: its choices never timed the new one.
  std::ofstream(path, std::ios::trunc)
      << "# nas conv autotune cache v1: n h w c out_c kernel_h kernel_w stride pad dilation "
         "groups pass threads isa algo ms\n"
      << conv_autotune_key(p, ConvPass::kForward) << " im2col 1.0\n";
  set_conv_autotune_path(path);
  clear_conv_autotune_memory();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kAuto);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find(
                "stale/conv_algos.txt:1: note: conv autotune cache written by a build with other "
                "algorithms"),
            std::string::npos);
  // Storing rewrites it with this build's header, which later loads accept.
  conv_autotune_store(p, ConvPass::kForward, ConvAlgo::kDirect, 0.5);
  const std::string text = read_all(path);
  EXPECT_NE(text.find("winograd_s2"), std::string::npos) << text;
  EXPECT_EQ(text.find("im2col 1"), std::string::npos) << text;
  clear_conv_autotune_memory();
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kDirect);
  set_conv_autotune_path("");
  clear_conv_autotune_memory();
}

TEST(ConvAutotune, PerCallPinBeatsTheCache) {
  set_conv_autotune_path("");
  clear_conv_autotune_memory();
  ConvParams p = small();
  conv_autotune_store(p, ConvPass::kForward, ConvAlgo::kIm2col, 1.0);
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kIm2col);
  p.algo = ConvAlgo::kWinograd;
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kWinograd);
  clear_conv_autotune_memory();
}

TEST(ConvAutotune, DefaultPathFollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old ? old : "";
  ::setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(default_conv_autotune_path(), "/tmp/xdg-test/nas/conv_algos.txt");
  ::unsetenv("XDG_CACHE_HOME");
  if (const char* home = std::getenv("HOME")) {
    EXPECT_EQ(default_conv_autotune_path(), std::string(home) + "/.cache/nas/conv_algos.txt");
  }
  if (old) ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace nas::ops
