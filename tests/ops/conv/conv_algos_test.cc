// Every conv algorithm, pinned, against the double reference on shapes that
// exercise odd sizes, stride, padding, dilation, groups, depthwise and
// batch > 1 (batch 1 splits images across threads, larger batches give
// threads whole images); then agreement between algorithms and determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_autotune.h"
#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

using testing::RefResult;

struct Case {
  int64_t n, h, w, c, k;
  int kh, kw, s, pad, d, g;
};

ConvParams to_params(const Case& c, ConvAlgo algo, bool bias) {
  ConvParams p;
  p.batch = c.n; p.in_h = c.h; p.in_w = c.w; p.in_c = c.c; p.out_c = c.k;
  p.kernel_h = c.kh; p.kernel_w = c.kw; p.stride = c.s; p.pad = c.pad; p.dilation = c.d;
  p.groups = c.g; p.bias = bias; p.algo = algo;
  return p;
}

std::string describe(const ConvParams& p) {
  return p.input_shape().str() + " k=" + std::to_string(p.out_c) + " " +
         std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + " s" +
         std::to_string(p.stride) + " p" + std::to_string(p.pad) + " d" +
         std::to_string(p.dilation) + " g" + std::to_string(p.groups) + " algo " +
         conv_algo_name(p.algo);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      {1, 5, 5, 3, 4, 3, 3, 1, 1, 1, 1},        // basic 3x3
      {2, 7, 6, 5, 7, 3, 3, 2, 1, 1, 1},        // odd sizes, stride 2, batch 2
      {2, 9, 9, 8, 16, 3, 3, 1, 2, 2, 1},       // dilation 2
      {1, 8, 7, 6, 9, 3, 3, 1, 1, 1, 3},        // groups 3
      {3, 6, 6, 16, 16, 3, 3, 1, 1, 1, 16},     // depthwise
      {2, 9, 9, 24, 24, 5, 5, 2, 2, 1, 24},     // depthwise 5x5 stride 2
      {1, 7, 7, 20, 20, 7, 7, 1, 3, 1, 20},     // depthwise 7x7, channel tail
      {2, 12, 11, 40, 40, 3, 3, 1, 2, 2, 40},   // depthwise dilated
      {1, 6, 66, 136, 136, 3, 3, 1, 1, 1, 136},  // depthwise, rows read in place
      {2, 7, 70, 128, 128, 5, 5, 2, 2, 1, 128},  // same, 5x5 stride 2
      {2, 6, 5, 13, 37, 1, 1, 1, 0, 1, 1},      // 1x1
      {1, 5, 5, 64, 96, 1, 1, 1, 0, 1, 1},      // 1x1, wider
      {2, 7, 7, 12, 20, 1, 1, 2, 0, 1, 2},      // 1x1 stride 2, groups 2
      {1, 10, 11, 33, 70, 3, 3, 1, 1, 1, 1},    // Winograd, odd output, partial blocks
      {2, 6, 6, 4, 8, 3, 3, 1, 2, 1, 1},        // pad 2
      {2, 4, 4, 2, 3, 3, 3, 1, 0, 1, 1},        // no padding
      {1, 5, 7, 4, 6, 2, 2, 1, 0, 1, 1},        // even kernel
      {1, 9, 9, 7, 5, 3, 5, 1, 1, 1, 1},        // rectangular kernel
      {1, 6, 6, 8, 16, 3, 3, 1, 1, 1, 8},       // channel multiplier 2
      {2, 9, 9, 3, 32, 3, 3, 2, 1, 1, 1},       // stem-like
      {3, 8, 8, 1, 32, 3, 3, 1, 1, 1, 1},       // one input channel
      {1, 5, 5, 3, 4, 1, 1, 1, 1, 1, 1},        // 1x1 with padding (pad > kernel extent)
      {2, 6, 6, 4, 4, 3, 3, 2, 3, 1, 1},        // pad 3 > 2, stride 2
      {1, 6, 6, 8, 8, 3, 3, 1, 3, 1, 8},        // depthwise, pad 3 > 2
      {2, 7, 7, 12, 20, 1, 1, 2, 0, 1, 1},      // 1x1 stride 2: stride phases no tap reaches
      {1, 11, 10, 6, 9, 3, 3, 3, 1, 1, 1},      // stride 3 (9 backward-data phases)
      {2, 14, 13, 40, 24, 3, 3, 2, 1, 1, 1},    // stride 2, two in-channel blocks
      {1, 8, 9, 5, 6, 4, 4, 2, 1, 1, 1},        // even kernel, stride 2
      {1, 130, 129, 4, 8, 3, 3, 2, 1, 1, 1},    // one large image: padded band by band
      {2, 1, 3, 2, 3, 1, 1, 2, 0, 1, 1},        // one input row, stride 2: an empty phase
      // 1x1 weight gradients over many pixels (gemm1x1: several pixel chunks,
      // each several blocks with a partial last one; both tile orientations).
      {3, 31, 29, 24, 40, 1, 1, 1, 0, 1, 1},    // in < out: rows x, 32 + 8 wide tiles
      {7, 28, 28, 16, 24, 1, 1, 1, 0, 1, 1},    // 5488 pixels: 4 chunks, 16 + 8 wide
      {2, 30, 30, 52, 20, 1, 1, 1, 0, 1, 2},    // groups 2: 26 -> 10, partial 26 wide
      {3, 40, 41, 37, 13, 1, 1, 2, 0, 1, 1},    // stride 2, odd widths
      // 3x3 stride 2 (winograd_s2's phases): pad 0 (its dy rows start at -1),
      // pad 2, and tiles past the output with out channels past two blocks.
      {2, 9, 8, 6, 10, 3, 3, 2, 0, 1, 1},
      {1, 10, 11, 5, 33, 3, 3, 2, 2, 1, 1},
      {3, 31, 16, 20, 70, 3, 3, 2, 1, 1, 1},
  };
  return list;
}

// |got - want| <= tol * (sum of |terms|) + tiny, elementwise; with
// `tensor_scale`, the largest sum of |terms| over the tensor instead (a
// Winograd output's error scales with its whole tile's inputs, not with its
// own terms: border outputs have few terms).
void expect_close(const std::vector<float>& got, const RefResult& want, double tol,
                  const std::string& what, bool tensor_scale = false) {
  ASSERT_EQ(got.size(), want.value.size()) << what;
  int reported = 0;
  const double scale = tensor_scale ? *std::max_element(want.abs_sum.begin(), want.abs_sum.end()) : 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want.value[i]);
    if (err > tol * (tensor_scale ? scale : want.abs_sum[i]) + 1e-6 && reported++ < 3)
      ADD_FAILURE() << what << " at " << i << ": got " << got[i] << " want " << want.value[i];
  }
}

// Winograd F(7x7,2x2)'s 8-point transforms (coefficients up to 64 and 1/90)
// lose about 4 more bits than F(2x2,3x3); its bound is on the tensor's scale.
double tolerance(ConvAlgo algo) {
  return algo == ConvAlgo::kWinogradS2 ? 5e-5 : algo == ConvAlgo::kWinograd ? 2e-5 : 4e-6;
}

TEST(ConvAlgos, EveryPinnedAlgorithmMatchesTheReference) {
  set_conv_autotune_path("");
  int checked[8] = {};
  unsigned seed = 1;
  for (const Case& c : cases())
    for (ConvAlgo algo : kAllConvAlgos) {
      ConvParams p = to_params(c, algo, true);
      ASSERT_TRUE(validate_conv_params(p).is_ok()) << describe(p);
      if (!conv_algo_applies(algo, p)) continue;
      ++checked[static_cast<int>(algo)];
      const auto x = testing::random_floats(p.input_shape().numel(), seed++);
      const auto w = testing::random_floats(p.weight_numel(), seed++);
      const auto b = testing::random_floats(p.out_c, seed++);
      const auto dy = testing::random_floats(p.output_shape().numel(), seed++);
      const std::string what = describe(p);
      // Outputs start as NaN: every algorithm must overwrite them.
      std::vector<float> y(p.output_shape().numel(), NAN), dx(x.size(), NAN), dw(w.size(), NAN),
          db(p.out_c, NAN);
      conv2d_forward(p, x.data(), w.data(), b.data(), y.data());
      const bool tile_error = algo == ConvAlgo::kWinogradS2;
      expect_close(y, testing::ref_conv_forward(p, x, w, b), tolerance(algo), what + " fwd",
                   tile_error);
      conv2d_backward_data(p, dy.data(), w.data(), dx.data());
      expect_close(dx, testing::ref_conv_backward_data(p, dy, w), tolerance(algo),
                   what + " bwd_data", tile_error);
      conv2d_backward_weights(p, x.data(), dy.data(), dw.data(), db.data());
      expect_close(dw, testing::ref_conv_backward_weights(p, x, dy), tolerance(algo),
                   what + " bwd_weights");
      for (int64_t co = 0; co < p.out_c; ++co) {
        double s = 0;
        for (int64_t r = 0; r < p.batch * p.out_h() * p.out_w(); ++r) s += dy[r * p.out_c + co];
        EXPECT_NEAR(db[co], s, 1e-4) << what << " bias grad " << co;
      }
    }
  for (ConvAlgo algo : kAllConvAlgos)
    EXPECT_GE(checked[static_cast<int>(algo)], 3) << conv_algo_name(algo) << " barely covered";
}

TEST(ConvAlgos, PinnedAlgorithmThatDoesNotApplyFallsBack) {
  ConvParams p = to_params(cases()[1], ConvAlgo::kWinograd, false);  // stride 2: no Winograd
  EXPECT_FALSE(conv_algo_applies(ConvAlgo::kWinograd, p));
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kForward), ConvAlgo::kDirect);
  // winograd_s2: 3x3 stride 2 only, and not past 32 MiB of transformed weights.
  EXPECT_TRUE(conv_algo_applies(ConvAlgo::kWinogradS2, p));
  EXPECT_FALSE(conv_algo_applies(ConvAlgo::kWinogradS2,
                                 to_params({1, 8, 8, 4, 4, 3, 3, 1, 1, 1, 1}, ConvAlgo::kAuto, false)));
  EXPECT_TRUE(conv_algo_applies(ConvAlgo::kWinogradS2,
                                to_params({1, 8, 8, 128, 256, 3, 3, 2, 1, 1, 1}, ConvAlgo::kAuto, false)));
  EXPECT_FALSE(conv_algo_applies(ConvAlgo::kWinogradS2,
                                 to_params({1, 8, 8, 256, 256, 3, 3, 2, 1, 1, 1}, ConvAlgo::kAuto, false)));
  p = to_params(cases()[4], ConvAlgo::kGemm1x1, false);  // depthwise 3x3
  EXPECT_EQ(conv2d_resolved_algo(p, ConvPass::kBackwardData), ConvAlgo::kDepthwise);
  const auto x = testing::random_floats(p.input_shape().numel(), 7);
  const auto w = testing::random_floats(p.weight_numel(), 8);
  std::vector<float> y(p.output_shape().numel());
  conv2d_forward(p, x.data(), w.data(), nullptr, y.data());
  expect_close(y, testing::ref_conv_forward(p, x, w, {}), 4e-6, "fallback fwd");
}

// Larger shapes than above, so threads and tiles really split the work.
TEST(ConvAlgos, AlgorithmsAgreeAndRepeatBitForBit) {
  const Case big[] = {{4, 14, 14, 32, 48, 3, 3, 1, 1, 1, 1},
                      {1, 14, 14, 32, 48, 3, 3, 1, 1, 1, 1},
                      {4, 12, 12, 64, 64, 3, 3, 1, 1, 1, 64},
                      {4, 10, 10, 48, 40, 1, 1, 1, 0, 1, 1},
                      {4, 28, 28, 32, 24, 3, 3, 2, 1, 1, 1},
                      {3, 14, 14, 64, 40, 3, 3, 2, 1, 1, 1}};
  for (const Case& c : big) {
    ConvParams base = to_params(c, ConvAlgo::kDirect, false);
    const auto x = testing::random_floats(base.input_shape().numel(), 11);
    const auto w = testing::random_floats(base.weight_numel(), 12);
    const auto dy = testing::random_floats(base.output_shape().numel(), 13);
    std::vector<float> y0, dx0, dw0;
    for (ConvAlgo algo : kAllConvAlgos) {
      ConvParams p = base;
      p.algo = algo;
      if (!conv_algo_applies(algo, p)) continue;
      std::vector<float> y[2], dx[2], dw[2];
      for (int run = 0; run < 2; ++run) {
        y[run].resize(p.output_shape().numel());
        dx[run].resize(x.size());
        dw[run].resize(w.size());
        conv2d_forward(p, x.data(), w.data(), nullptr, y[run].data());
        conv2d_backward_data(p, dy.data(), w.data(), dx[run].data());
        conv2d_backward_weights(p, x.data(), dy.data(), dw[run].data(), nullptr);
      }
      const std::string what = describe(p);
      EXPECT_EQ(0, std::memcmp(y[0].data(), y[1].data(), y[0].size() * 4)) << what << " fwd bits";
      EXPECT_EQ(0, std::memcmp(dx[0].data(), dx[1].data(), dx[0].size() * 4)) << what << " dx bits";
      EXPECT_EQ(0, std::memcmp(dw[0].data(), dw[1].data(), dw[0].size() * 4)) << what << " dw bits";
      if (y0.empty()) {
        y0 = y[0]; dx0 = dx[0]; dw0 = dw[0];
        continue;
      }
      auto agree = [&](const std::vector<float>& a, const std::vector<float>& b, const char* pass) {
        double worst = 0, scale = 0;
        for (size_t i = 0; i < a.size(); ++i) {
          worst = std::max(worst, double{std::fabs(a[i] - b[i])});
          scale = std::max(scale, double{std::fabs(b[i])});
        }
        const double tol = algo == ConvAlgo::kWinogradS2 ? 1e-3 : 1e-4;
        EXPECT_LE(worst, tol * scale + 1e-5) << what << " vs direct " << pass;
      };
      agree(y[0], y0, "fwd");
      agree(dx[0], dx0, "bwd_data");
      agree(dw[0], dw0, "bwd_weights");
    }
  }
}

// The reference's backward (the oracle for every algorithm) is the gradient of
// its forward: central differences in double on a small case with groups,
// stride and padding.
TEST(ConvAlgos, ReferenceBackwardMatchesFiniteDifferences) {
  ConvParams p = to_params({2, 5, 6, 4, 6, 3, 3, 2, 1, 1, 2}, ConvAlgo::kAuto, false);
  const auto xf = testing::random_floats(p.input_shape().numel(), 21);
  const auto wf = testing::random_floats(p.weight_numel(), 22);
  const auto gf = testing::random_floats(p.output_shape().numel(), 23);
  std::vector<double> x(xf.begin(), xf.end()), w(wf.begin(), wf.end());
  auto loss = [&](const std::vector<double>& xx, const std::vector<double>& ww) {
    const auto y = testing::ref_conv_forward_f64(p, xx, ww);
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += y[i] * gf[i];
    return s;
  };
  const RefResult dx = testing::ref_conv_backward_data(p, gf, wf);
  const RefResult dw = testing::ref_conv_backward_weights(p, xf, gf);
  const double h = 1e-4;
  for (size_t i = 0; i < x.size(); i += 3) {
    auto xp = x, xm = x;
    xp[i] += h;
    xm[i] -= h;
    EXPECT_NEAR((loss(xp, w) - loss(xm, w)) / (2 * h), dx.value[i], 1e-6) << "dx " << i;
  }
  for (size_t i = 0; i < w.size(); i += 2) {
    auto wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    EXPECT_NEAR((loss(x, wp) - loss(x, wm)) / (2 * h), dw.value[i], 1e-6) << "dw " << i;
  }
}

// The 1x1 weight gradient reduces over every pixel of the batch in fixed
// pixel chunks: identical bits on 1, 2 and 3 threads (and close to the
// reference), for both tile orientations, a stride and groups.
TEST(ConvAlgos, Gemm1x1WeightGradientIsIdenticalOnAnyThreadCount) {
  const int saved = num_threads();
  const Case shapes[] = {{6, 28, 28, 24, 144, 1, 1, 1, 0, 1, 1},
                         {6, 28, 28, 144, 24, 1, 1, 1, 0, 1, 1},
                         {5, 29, 27, 40, 36, 1, 1, 2, 0, 1, 2},
                         {5, 30, 30, 16, 40, 1, 1, 1, 0, 1, 2}};  // groups, in_g < out_g
  for (const Case& c : shapes) {
    const ConvParams p = to_params(c, ConvAlgo::kGemm1x1, false);
    const auto x = testing::random_floats(p.input_shape().numel(), 31);
    const auto dy = testing::random_floats(p.output_shape().numel(), 32);
    std::vector<float> dw[3];
    for (int t = 0; t < 3; ++t) {
      set_num_threads(t + 1);
      dw[t].assign(p.weight_numel(), NAN);
      conv2d_backward_weights(p, x.data(), dy.data(), dw[t].data(), nullptr);
    }
    set_num_threads(saved);
    const std::string what = describe(p);
    EXPECT_EQ(0, std::memcmp(dw[0].data(), dw[1].data(), dw[0].size() * 4)) << what << " 1 vs 2 threads";
    EXPECT_EQ(0, std::memcmp(dw[0].data(), dw[2].data(), dw[0].size() * 4)) << what << " 1 vs 3 threads";
    expect_close(dw[0], testing::ref_conv_backward_weights(p, x, dy), 4e-6, what + " bwd_weights");
  }
}

// winograd_s2 splits tiles into per-thread chunks, and its weight gradient
// sums tiles per point: identical bits on 1, 2 and 3 threads, all three
// passes; and its backward-data is the adjoint of its forward
// (<conv(x), dy> = <x, bwd_data(dy)>).
TEST(ConvAlgos, WinogradS2IsIdenticalOnAnyThreadCountAndAdjoint) {
  const int saved = num_threads();
  const Case shapes[] = {{5, 28, 28, 32, 64, 3, 3, 2, 1, 1, 1},
                         {7, 15, 13, 24, 40, 3, 3, 2, 0, 1, 1},
                         {60, 14, 14, 64, 64, 3, 3, 2, 1, 1, 1}};
  for (const Case& c : shapes) {
    const ConvParams p = to_params(c, ConvAlgo::kWinogradS2, false);
    ASSERT_TRUE(conv_algo_applies(ConvAlgo::kWinogradS2, p));
    const auto x = testing::random_floats(p.input_shape().numel(), 41);
    const auto w = testing::random_floats(p.weight_numel(), 42);
    const auto dy = testing::random_floats(p.output_shape().numel(), 43);
    std::vector<float> y[3], dx[3], dw[3];
    for (int t = 0; t < 3; ++t) {
      set_num_threads(t + 1);
      y[t].assign(p.output_shape().numel(), NAN);
      dx[t].assign(x.size(), NAN);
      dw[t].assign(w.size(), NAN);
      conv2d_forward(p, x.data(), w.data(), nullptr, y[t].data());
      conv2d_backward_data(p, dy.data(), w.data(), dx[t].data());
      conv2d_backward_weights(p, x.data(), dy.data(), dw[t].data(), nullptr);
    }
    set_num_threads(saved);
    const std::string what = describe(p);
    for (int t = 1; t < 3; ++t) {
      EXPECT_EQ(0, std::memcmp(y[0].data(), y[t].data(), y[0].size() * 4)) << what << " fwd, threads " << t + 1;
      EXPECT_EQ(0, std::memcmp(dx[0].data(), dx[t].data(), dx[0].size() * 4)) << what << " dx, threads " << t + 1;
      EXPECT_EQ(0, std::memcmp(dw[0].data(), dw[t].data(), dw[0].size() * 4)) << what << " dw, threads " << t + 1;
    }
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t i = 0; i < dy.size(); ++i) {
      lhs += double{y[0][i]} * dy[i];
      scale += std::fabs(double{y[0][i]} * dy[i]);
    }
    for (size_t i = 0; i < x.size(); ++i) rhs += double{x[i]} * dx[0][i];
    EXPECT_NEAR(lhs, rhs, 1e-4 * scale) << what << " adjoint";
    // And dw against the reference (the last shape's 60 tiles take two
    // chunks of the weight gradient's, of 30 tiles each: equal chunks).
    expect_close(dw[0], testing::ref_conv_backward_weights(p, x, dy), tolerance(p.algo), what + " dw");
  }
}

}  // namespace
}  // namespace nas::ops

namespace nas::ops {
namespace {

// Steady state: a second identical call grows no scratch arena (the calling
// thread's; run single-threaded so it is the only one).
TEST(ConvAlgos, RepeatedCallsReuseScratch) {
  const int saved = num_threads();
  set_num_threads(1);
  const Case c = {2, 9, 9, 16, 24, 3, 3, 1, 1, 1, 1};
  for (ConvAlgo algo : kAllConvAlgos) {
    ConvParams p = to_params(c, algo, true);
    if (algo == ConvAlgo::kDepthwise) p = to_params({2, 9, 9, 16, 16, 3, 3, 1, 1, 1, 16}, algo, true);
    if (algo == ConvAlgo::kGemm1x1) p = to_params({2, 9, 9, 16, 24, 1, 1, 2, 0, 1, 1}, algo, true);
    if (algo == ConvAlgo::kWinogradS2) p = to_params({2, 9, 9, 16, 24, 3, 3, 2, 1, 1, 1}, algo, true);
    ASSERT_TRUE(conv_algo_applies(algo, p)) << describe(p);
    const auto x = testing::random_floats(p.input_shape().numel(), 1);
    const auto w = testing::random_floats(p.weight_numel(), 2);
    std::vector<float> y(p.output_shape().numel()), dx(x.size()), dw(w.size()), db(p.out_c);
    auto run = [&] {
      conv2d_forward(p, x.data(), w.data(), w.data(), y.data());
      conv2d_backward_data(p, y.data(), w.data(), dx.data());
      conv2d_backward_weights(p, x.data(), y.data(), dw.data(), db.data());
    };
    run();
    const int64_t capacity = thread_scratch().capacity_bytes();
    run();
    EXPECT_EQ(thread_scratch().capacity_bytes(), capacity) << describe(p);
  }
  set_num_threads(saved);
}

}  // namespace
}  // namespace nas::ops
