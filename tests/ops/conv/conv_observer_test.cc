// Output-row observers of conv2d_forward / conv2d_backward_data (conv2d.h):
// for every algorithm, with and without bias, on 1, 2 and 3 threads, an
// observed call writes the unobserved call's bits, reports every row once,
// and each block's callback sees the block's final values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_autotune.h"
#include "ops/core/parallel.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

struct Case {
  int64_t n, h, w, c, k;
  int kh, s, pad, g;
};

// The MBv2 kinds (1x1 expand / project, depthwise 3x3 stride 1 and 2), a
// strided 3x3 (direct's phased backward-data), a stem, a grouped conv, and a
// batch smaller than the thread count (images split across threads).
const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      {3, 7, 6, 8, 24, 1, 1, 0, 1},   {2, 9, 9, 24, 8, 1, 1, 0, 1},
      {3, 8, 7, 16, 16, 3, 1, 1, 16}, {2, 9, 8, 24, 24, 3, 2, 1, 24},
      {2, 9, 9, 6, 10, 3, 2, 1, 1},   {4, 8, 8, 1, 16, 3, 1, 1, 1},
      {2, 6, 6, 8, 12, 3, 1, 1, 2},   {1, 12, 11, 12, 20, 1, 2, 0, 1},
      {1, 13, 13, 8, 8, 3, 1, 1, 1},
  };
  return list;
}

// Records, per block, how often its callback ran and a copy of its rows as
// the callback saw them.
struct Recorder {
  int64_t row_floats;
  const float* data = nullptr;
  std::vector<float> seen;
  std::vector<int> calls;
  RowBlockObserver observer;
  Recorder(int64_t rows, int64_t row_floats_, int64_t blocks)
      : row_floats(row_floats_), seen(rows * row_floats_, NAN), calls(blocks, 0),
        observer(rows, blocks, [this](int64_t b, int64_t r0, int64_t r1) {
          ++calls[b];
          std::memcpy(seen.data() + r0 * row_floats, data + r0 * row_floats,
                      sizeof(float) * (r1 - r0) * row_floats);
        }) {}
};

void check(const Recorder& rec, const std::vector<float>& want, const std::string& what) {
  EXPECT_TRUE(rec.observer.complete()) << what;
  for (size_t b = 0; b < rec.calls.size(); ++b) EXPECT_EQ(rec.calls[b], 1) << what << " block " << b;
  EXPECT_EQ(std::memcmp(rec.seen.data(), want.data(), want.size() * sizeof(float)), 0) << what;
}

TEST(ConvObserver, ObservedCallsGiveTheSameBitsAndReportFinalRows) {
  set_conv_autotune_path("");
  const int saved = num_threads();
  unsigned seed = 7;
  int checked = 0;
  for (const Case& c : cases())
    for (ConvAlgo algo : kAllConvAlgos)
      for (bool bias : {false, true}) {
        ConvParams p;
        p.batch = c.n; p.in_h = c.h; p.in_w = c.w; p.in_c = c.c; p.out_c = c.k;
        p.kernel_h = p.kernel_w = c.kh; p.stride = c.s; p.pad = c.pad; p.groups = c.g;
        p.bias = bias;
        p.algo = algo;
        ASSERT_TRUE(validate_conv_params(p).is_ok());
        if (!conv_algo_applies(algo, p)) continue;
        ++checked;
        const std::string what = std::string(conv_algo_name(algo)) + " " +
                                 p.input_shape().str() + " k" + std::to_string(c.k) + " s" +
                                 std::to_string(c.s) + (bias ? " bias" : "");
        const auto x = testing::random_floats(p.input_shape().numel(), seed++);
        const auto w = testing::random_floats(p.weight_numel(), seed++);
        const auto b = testing::random_floats(p.out_c, seed++);
        const auto dy = testing::random_floats(p.output_shape().numel(), seed++);
        const int64_t y_rows = p.batch * p.out_h() * p.out_w(), x_rows = p.batch * p.in_h * p.in_w;
        std::vector<float> y0(y_rows * p.out_c), dx0(x.size());
        set_num_threads(1);
        conv2d_forward(p, x.data(), w.data(), b.data(), y0.data());
        conv2d_backward_data(p, dy.data(), w.data(), dx0.data());
        for (int t = 1; t <= 3; ++t) {
          set_num_threads(t);
          const std::string at = what + " threads " + std::to_string(t);
          std::vector<float> y(y0.size(), NAN), dx(dx0.size(), NAN);
          Recorder fy(y_rows, p.out_c, std::min<int64_t>(y_rows, 5));
          fy.data = y.data();
          conv2d_forward(p, x.data(), w.data(), b.data(), y.data(), &fy.observer);
          EXPECT_EQ(std::memcmp(y.data(), y0.data(), y.size() * sizeof(float)), 0) << at << " fwd";
          check(fy, y0, at + " fwd observer");
          Recorder bx(x_rows, p.in_c, std::min<int64_t>(x_rows, 4));
          bx.data = dx.data();
          conv2d_backward_data(p, dy.data(), w.data(), dx.data(), &bx.observer);
          EXPECT_EQ(std::memcmp(dx.data(), dx0.data(), dx.size() * sizeof(float)), 0)
              << at << " bwd_data";
          check(bx, dx0, at + " bwd_data observer");
        }
      }
  set_num_threads(saved);
  EXPECT_GE(checked, 30);
}

// Outputs beyond 16 MiB are streamed (observing them costs a read for
// ownership): an MBv2 expand's y (128x28x28x96, 38.5 MB) is, its dx
// (128x28x28x16, 6.4 MB) is not.
TEST(ConvObserver, StreamedOutputsAreTheOnesBeyondSixteenMiB) {
  ConvParams p;
  p.batch = 128; p.in_h = p.in_w = 28; p.in_c = 16; p.out_c = 96;
  p.kernel_h = p.kernel_w = 1;
  EXPECT_TRUE(conv2d_streams_output(p, ConvPass::kForward));
  EXPECT_FALSE(conv2d_streams_output(p, ConvPass::kBackwardData));
  p.batch = 40;  // 12 MB
  EXPECT_FALSE(conv2d_streams_output(p, ConvPass::kForward));
}

}  // namespace
}  // namespace nas::ops
