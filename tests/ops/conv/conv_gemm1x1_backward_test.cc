// The one-pass backward of 1x1 convs (ops/conv/conv_gemm1x1.h,
// gemm1x1_backward_fused) against the two passes it replaces (backward-data
// by gemm1x1 or direct, the weight gradient by gemm1x1): the same bits for
// dx, dw and db on 1-3 threads, on shapes past the size line with odd
// channel counts, groups and pixel counts that split into neither whole
// weight-gradient chunks, 128-pixel blocks nor tiles, with and without bias,
// a dx observer and a transformed input; the shapes and algorithms it
// declines are left untouched; one shape against the double reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_autotune.h"
#include "ops/conv/conv_gemm1x1.h"
#include "ops/core/parallel.h"
#include "ops/core/row_block_observer.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

struct Shape {
  int64_t n, h, w, c, k;
  int groups, stride, pad;
};

std::string describe(const Shape& s) {
  return std::to_string(s.n) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) + " " +
         std::to_string(s.c) + "->" + std::to_string(s.k) + " g" + std::to_string(s.groups) + " s" +
         std::to_string(s.stride) + " p" + std::to_string(s.pad);
}

ConvParams params(const Shape& s, bool bias) {
  ConvParams p;
  p.batch = s.n; p.in_h = s.h; p.in_w = s.w; p.in_c = s.c; p.out_c = s.k;
  p.kernel_h = p.kernel_w = 1;
  p.groups = s.groups; p.stride = s.stride; p.pad = s.pad;
  p.bias = bias;
  p.algo = ConvAlgo::kGemm1x1;
  return p;
}

// Bit for bit (EXPECT_EQ on floats would take -0 for +0 and fail on NaN).
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool all_nan(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return std::isnan(f); });
}

// t(x) = min(max(a*x + b, 0), 6) (BatchNorm-apply + ReLU6); ctx = {a, b, c}.
void affine_relu6(const void* ctx, const float* src, int64_t pixels, float* dst) {
  const float* ab = static_cast<const float*>(ctx);
  for (int64_t i = 0; i < pixels * ab[2]; ++i) dst[i] = std::min(std::max(src[i] * ab[0] + ab[1], 0.0f), 6.0f);
}

struct Grads {
  std::vector<float> dx, dw, db;
};

// The two passes, as conv2d_backward ran them before the one pass:
// backward-data by dx_algo, the weight gradient by p.algo.
Grads two_passes(const ConvParams& p, const std::vector<float>& x, const std::vector<float>& dy,
                 const std::vector<float>& w, ConvAlgo dx_algo) {
  Grads g{std::vector<float>(x.size(), NAN), std::vector<float>(w.size(), NAN),
          std::vector<float>(p.out_c, NAN)};
  ConvParams pd = p;
  pd.algo = dx_algo;
  conv2d_backward_data(pd, dy.data(), w.data(), g.dx.data());
  conv2d_backward_weights(p, x.data(), dy.data(), g.dw.data(), g.db.data());
  return g;
}
Grads two_passes(const ConvParams& p, const std::vector<float>& x, const std::vector<float>& dy,
                 const std::vector<float>& w) {
  return two_passes(p, x, dy, w, p.algo);
}

// p unpinned, with the autotuner's memory (no file) resolving its
// backward-data to dx_algo and its weight gradient to gemm1x1 on 1-3
// threads, as the autotuner leaves the MobileNetV2 1x1 convs.
ConvParams resolved_as(ConvParams p, ConvAlgo dx_algo) {
  set_conv_autotune_path("");
  p.algo = ConvAlgo::kAuto;
  const int saved = num_threads();
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    conv_autotune_store(p, ConvPass::kBackwardData, dx_algo, 1.0);
    conv_autotune_store(p, ConvPass::kBackwardWeights, ConvAlgo::kGemm1x1, 1.0);
  }
  set_num_threads(saved);
  return p;
}

// Expanding (out_c >= in_c) and past the 12 MB line (x and dy together):
// 13-19 MB. Pixel counts (26047, 30267, 20000) are no multiple of the 16
// chunks, of 128 nor of a tile's rows.
const Shape kFused[] = {
    {7, 61, 61, 19, 131, 1, 1, 0},  // odd channels
    {9, 57, 59, 21, 133, 1, 1, 0},  // odd channels, another chunk size
    {8, 50, 50, 34, 130, 2, 1, 0},  // groups
};
// Declined: held by the caches, stride 2, padding (gemm1x1 does not apply),
// projecting (dy smaller than x).
const Shape kDeclined[] = {
    {2, 14, 14, 24, 144, 1, 1, 0},
    {32, 56, 56, 24, 48, 1, 2, 0},
    {7, 61, 61, 19, 131, 1, 1, 1},
    {9, 57, 59, 133, 21, 1, 1, 0},
};

TEST(Gemm1x1Backward, OnePassSameBitsAsTwoPasses) {
  const int saved = num_threads();
  for (ConvAlgo dx_algo : {ConvAlgo::kGemm1x1, ConvAlgo::kDirect})
  for (const Shape& s : kFused)
    for (bool bias : {false, true}) {
      const ConvParams pinned = params(s, bias);  // both passes gemm1x1
      const ConvParams p = resolved_as(pinned, dx_algo);
      const std::string what =
          describe(s) + (bias ? " bias" : "") + " dx by " + conv_algo_name(dx_algo);
      ASSERT_TRUE(conv_detail::gemm1x1_backward_fuses(p)) << what;
      const auto x = testing::random_floats(p.input_shape().numel(), 11);
      const auto w = testing::random_floats(p.weight_numel(), 12);
      const auto dy = testing::random_floats(p.output_shape().numel(), 13);
      set_num_threads(1);
      const Grads want = two_passes(pinned, x, dy, w, dx_algo);
      for (int threads = 1; threads <= 3; ++threads) {
        set_num_threads(threads);
        const std::string at = what + " threads " + std::to_string(threads);
        ASSERT_EQ(conv2d_resolved_algo(p, ConvPass::kBackwardData), dx_algo) << at;
        Grads got{std::vector<float>(x.size(), NAN), std::vector<float>(w.size(), NAN),
                  std::vector<float>(p.out_c, NAN)};
        conv2d_backward(p, x.data(), dy.data(), w.data(), got.dx.data(), got.dw.data(), got.db.data());
        EXPECT_TRUE(same_bits(got.dx, want.dx)) << at << " dx";
        EXPECT_TRUE(same_bits(got.dw, want.dw)) << at << " dw";
        if (bias) EXPECT_TRUE(same_bits(got.db, want.db)) << at << " db";
        else EXPECT_TRUE(all_nan(got.db)) << at << " db written without bias";
        // The one pass itself (not the two passes behind conv2d_backward).
        got.dx.assign(x.size(), NAN);
        got.dw.assign(w.size(), NAN);
        ASSERT_TRUE(conv_detail::gemm1x1_backward_fused(p, dx_algo, x.data(), nullptr, dy.data(), w.data(),
                                                        got.dx.data(), got.dw.data(), nullptr));
        EXPECT_TRUE(same_bits(got.dx, want.dx)) << at << " dx (direct call)";
        EXPECT_TRUE(same_bits(got.dw, want.dw)) << at << " dw (direct call)";
        // With an observer of dx's rows: every block reported once, its rows
        // final when reported (copied then), dx unchanged.
        const int64_t rows = p.batch * p.in_h * p.in_w;
        for (int64_t blocks : {int64_t{1}, int64_t{37}, rows}) {
          std::vector<float> seen(x.size(), NAN);
          RowBlockObserver observer(rows, blocks, [&](int64_t, int64_t b, int64_t e) {
            std::copy(got.dx.begin() + b * p.in_c, got.dx.begin() + e * p.in_c, seen.begin() + b * p.in_c);
          });
          observer.reset();
          got.dx.assign(x.size(), NAN);
          got.dw.assign(w.size(), NAN);
          conv2d_backward(p, x.data(), dy.data(), w.data(), got.dx.data(), got.dw.data(), nullptr, &observer);
          const std::string ob = at + " observed in " + std::to_string(blocks) + " blocks";
          EXPECT_TRUE(observer.complete()) << ob;
          EXPECT_TRUE(same_bits(seen, want.dx)) << ob << " (rows seen)";
          EXPECT_TRUE(same_bits(got.dx, want.dx)) << ob;
          EXPECT_TRUE(same_bits(got.dw, want.dw)) << ob;
        }
      }
    }
  set_num_threads(saved);
  clear_conv_autotune_memory();
}

TEST(Gemm1x1Backward, TransformedInputSameBitsAsTransformingFirst) {
  const int saved = num_threads();
  for (ConvAlgo dx_algo : {ConvAlgo::kGemm1x1, ConvAlgo::kDirect})
  for (const Shape& s : {kFused[0], kFused[1], kDeclined[0], kDeclined[3]}) {
    const ConvParams pinned = params(s, true);
    const ConvParams p = resolved_as(pinned, dx_algo);
    const std::string what = describe(s) + " dx by " + conv_algo_name(dx_algo);
    auto x = testing::random_floats(p.input_shape().numel(), 21);
    for (float& v : x) v *= 8.0f;  // past both ends of relu6
    const auto w = testing::random_floats(p.weight_numel(), 22);
    const auto dy = testing::random_floats(p.output_shape().numel(), 23);
    const float ab[3] = {1.5f, 0.5f, static_cast<float>(s.c)};
    const ConvInputTransform t{&affine_relu6, ab};
    std::vector<float> xt(x.size());
    affine_relu6(ab, x.data(), p.batch * p.in_h * p.in_w, xt.data());
    set_num_threads(1);
    const Grads want = two_passes(pinned, xt, dy, w, dx_algo);
    for (int threads = 1; threads <= 3; ++threads) {
      set_num_threads(threads);
      const std::string at = what + " threads " + std::to_string(threads);
      Grads got{std::vector<float>(x.size(), NAN), std::vector<float>(w.size(), NAN),
                std::vector<float>(p.out_c, NAN)};
      const int64_t rows = p.batch * p.in_h * p.in_w;
      std::vector<float> seen(x.size(), NAN);
      RowBlockObserver observer(rows, 16, [&](int64_t, int64_t b, int64_t e) {
        std::copy(got.dx.begin() + b * p.in_c, got.dx.begin() + e * p.in_c, seen.begin() + b * p.in_c);
      });
      observer.reset();
      conv2d_backward_transformed(p, x.data(), t, dy.data(), w.data(), got.dx.data(), got.dw.data(),
                                  got.db.data(), &observer);
      EXPECT_TRUE(observer.complete()) << at;
      EXPECT_TRUE(same_bits(seen, want.dx)) << at << " dx rows seen";
      EXPECT_TRUE(same_bits(got.dx, want.dx)) << at << " dx";
      EXPECT_TRUE(same_bits(got.dw, want.dw)) << at << " dw";
      EXPECT_TRUE(same_bits(got.db, want.db)) << at << " db";
      if (!conv_detail::gemm1x1_backward_fuses(p)) continue;
      got.dx.assign(x.size(), NAN);
      got.dw.assign(w.size(), NAN);
      ASSERT_TRUE(conv_detail::gemm1x1_backward_fused(p, dx_algo, x.data(), &t, dy.data(), w.data(),
                                                      got.dx.data(), got.dw.data(), nullptr));
      EXPECT_TRUE(same_bits(got.dx, want.dx)) << at << " dx (direct call)";
      EXPECT_TRUE(same_bits(got.dw, want.dw)) << at << " dw (direct call)";
    }
  }
  set_num_threads(saved);
  clear_conv_autotune_memory();
}

TEST(Gemm1x1Backward, DeclinedShapesWriteNothingAndKeepTheTwoPasses) {
  for (const Shape& s : kDeclined) {
    const ConvParams p = params(s, true);
    const std::string what = describe(s);
    EXPECT_FALSE(conv_detail::gemm1x1_backward_fuses(p)) << what;
    const auto x = testing::random_floats(p.input_shape().numel(), 31);
    const auto w = testing::random_floats(p.weight_numel(), 32);
    const auto dy = testing::random_floats(p.output_shape().numel(), 33);
    std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN);
    EXPECT_FALSE(conv_detail::gemm1x1_backward_fused(p, ConvAlgo::kGemm1x1, x.data(), nullptr, dy.data(),
                                                     w.data(), dx.data(), dw.data(), nullptr))
        << what;
    EXPECT_TRUE(all_nan(dx) && all_nan(dw)) << what;
    const Grads want = two_passes(p, x, dy, w);
    Grads got{std::vector<float>(x.size(), NAN), std::vector<float>(w.size(), NAN),
              std::vector<float>(p.out_c, NAN)};
    conv2d_backward(p, x.data(), dy.data(), w.data(), got.dx.data(), got.dw.data(), got.db.data());
    EXPECT_TRUE(same_bits(got.dx, want.dx)) << what;
    EXPECT_TRUE(same_bits(got.dw, want.dw)) << what;
    EXPECT_TRUE(same_bits(got.db, want.db)) << what;
  }
  // A shape the one pass would take, with a backward-data it has no
  // arithmetic for: declined, nothing written.
  ConvParams p = params(kFused[0], false);
  const auto x = testing::random_floats(p.input_shape().numel(), 41);
  const auto w = testing::random_floats(p.weight_numel(), 42);
  const auto dy = testing::random_floats(p.output_shape().numel(), 43);
  for (ConvAlgo dx_algo : {ConvAlgo::kIm2col, ConvAlgo::kWinograd, ConvAlgo::kAuto}) {
    std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN);
    EXPECT_FALSE(conv_detail::gemm1x1_backward_fused(p, dx_algo, x.data(), nullptr, dy.data(), w.data(),
                                                     dx.data(), dw.data(), nullptr))
        << conv_algo_name(dx_algo);
    EXPECT_TRUE(all_nan(dx) && all_nan(dw)) << conv_algo_name(dx_algo);
  }
  // With the weight gradient pinned elsewhere: conv2d_backward keeps that
  // algorithm's two passes.
  p.algo = ConvAlgo::kDirect;
  const Grads want = two_passes(p, x, dy, w);
  std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN);
  conv2d_backward(p, x.data(), dy.data(), w.data(), dx.data(), dw.data(), nullptr);
  EXPECT_TRUE(same_bits(dx, want.dx));
  EXPECT_TRUE(same_bits(dw, want.dw));
}

// Values, not just agreement with the two passes: within float rounding of
// the double reference, relative to each output's sum of |terms|.
TEST(Gemm1x1Backward, OnePassMatchesDoubleReference) {
  const ConvParams p = params(kFused[0], false);
  ASSERT_TRUE(conv_detail::gemm1x1_backward_fuses(p));
  const auto x = testing::random_floats(p.input_shape().numel(), 51);
  const auto w = testing::random_floats(p.weight_numel(), 52);
  const auto dy = testing::random_floats(p.output_shape().numel(), 53);
  std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN);
  ASSERT_TRUE(conv_detail::gemm1x1_backward_fused(p, ConvAlgo::kDirect, x.data(), nullptr, dy.data(), w.data(),
                                                  dx.data(), dw.data(), nullptr));
  const testing::RefResult rdx = testing::ref_conv_backward_data(p, dy, w);
  const testing::RefResult rdw = testing::ref_conv_backward_weights(p, x, dy);
  auto expect_close = [](const std::vector<float>& got, const testing::RefResult& want, const char* what) {
    ASSERT_EQ(got.size(), want.value.size()) << what;
    int bad = 0;
    for (size_t i = 0; i < got.size() && bad < 3; ++i)
      if (std::fabs(got[i] - want.value[i]) > 1e-5 * want.abs_sum[i] + 1e-6) {
        ADD_FAILURE() << what << " at " << i << ": " << got[i] << " vs " << want.value[i];
        ++bad;
      }
  };
  expect_close(dx, rdx, "dx");
  expect_close(dw, rdw, "dw");
}

}  // namespace
}  // namespace nas::ops
