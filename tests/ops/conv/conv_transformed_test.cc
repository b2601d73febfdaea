// The conv passes over a transformed input (conv2d.h: conv2d_forward_transformed
// with xt null, conv2d_backward_weights_transformed, conv2d_backward_transformed)
// give the bits of transforming all of x first and calling the plain passes:
// gemm1x1's block-by-block paths and the transform-into-scratch fallback of
// direct, im2col and depthwise; 1-3 threads, stride 1 and 2, odd channel
// counts, bias or not, observed or not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/core/parallel.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

// t(x) = min(max(scale[c]*x + shift[c], 0), 6) per channel (a BatchNorm-apply
// + ReLU6 with its own coefficients per channel).
struct Affine {
  int64_t c;
  std::vector<float> scale, shift;
};

void affine_relu6(const void* ctx, const float* src, int64_t pixels, float* dst) {
  const auto* a = static_cast<const Affine*>(ctx);
  for (int64_t i = 0; i < pixels; ++i)
    for (int64_t j = 0; j < a->c; ++j)
      dst[i * a->c + j] =
          std::min(std::max(a->scale[j] * src[i * a->c + j] + a->shift[j], 0.0f), 6.0f);
}

struct Case {
  int64_t n, h, w, c, k;
  int kh, s, pad, g;
  ConvAlgo algo;
};

std::string describe(const Case& c) {
  return std::string(conv_algo_name(c.algo)) + " " + std::to_string(c.n) + "x" + std::to_string(c.h) +
         "x" + std::to_string(c.w) + "x" + std::to_string(c.c) + "->" + std::to_string(c.k) + " k" +
         std::to_string(c.kh) + " s" + std::to_string(c.s) + " g" + std::to_string(c.g);
}

const std::vector<Case>& cases() {
  using A = ConvAlgo;
  static const std::vector<Case> list = {
      // gemm1x1: several forward blocks and weight-gradient chunks; in >= out
      // and in < out (the two tile orientations); stride 2; groups.
      {4, 24, 24, 13, 7, 1, 1, 0, 1, A::kGemm1x1},   {3, 14, 15, 145, 25, 1, 1, 0, 1, A::kGemm1x1},
      {2, 13, 11, 9, 31, 1, 1, 0, 1, A::kGemm1x1},   {3, 17, 16, 21, 11, 1, 2, 0, 1, A::kGemm1x1},
      {2, 9, 10, 12, 18, 1, 1, 0, 3, A::kGemm1x1},
      // Other algorithms' 1x1 forward block by block (several blocks, and one
      // with many channels), and the fallback (transform into scratch first:
      // stride 2, 3x3, every weight gradient).
      {4, 24, 24, 13, 7, 1, 1, 0, 1, A::kDirect},    {3, 14, 15, 145, 25, 1, 1, 0, 1, A::kDirect},
      {4, 24, 24, 13, 7, 1, 1, 0, 1, A::kIm2col},    {3, 17, 16, 21, 11, 1, 2, 0, 1, A::kDirect},
      {2, 9, 10, 12, 18, 1, 1, 0, 3, A::kDirect},
      {3, 9, 8, 13, 7, 1, 1, 0, 1, A::kDirect},      {2, 11, 9, 7, 5, 3, 2, 1, 1, A::kDirect},
      {3, 9, 8, 13, 7, 1, 1, 0, 1, A::kIm2col},      {2, 10, 9, 5, 9, 3, 1, 1, 1, A::kIm2col},
      {2, 9, 9, 15, 15, 3, 1, 1, 15, A::kDepthwise}, {2, 9, 9, 15, 15, 3, 2, 1, 15, A::kDepthwise},
  };
  return list;
}

ConvParams params(const Case& c, bool bias) {
  ConvParams p;
  p.batch = c.n; p.in_h = c.h; p.in_w = c.w; p.in_c = c.c; p.out_c = c.k;
  p.kernel_h = p.kernel_w = c.kh; p.stride = c.s; p.pad = c.pad; p.groups = c.g;
  p.bias = bias;
  p.algo = c.algo;
  return p;
}

Affine affine(int64_t c, uint64_t seed) {
  Affine a{c, testing::random_floats(c, seed), testing::random_floats(c, seed + 1)};
  for (float& v : a.scale) v = 2.0f + 2.0f * v;  // past both ends of relu6 on x in [-8, 8]
  for (float& v : a.shift) v = 3.0f * v + 2.0f;
  return a;
}

TEST(ConvTransformed, SameBitsAsTransformingFirst) {
  const int saved = num_threads();
  for (const Case& c : cases()) {
    for (bool bias : {false, true}) {
      const ConvParams p = params(c, bias);
      ASSERT_TRUE(validate_conv_params(p)) << describe(c);
      const std::string what = describe(c) + (bias ? " bias" : "");
      auto x = testing::random_floats(p.input_shape().numel(), 71);
      for (float& v : x) v *= 8.0f;
      const auto w = testing::random_floats(p.weight_numel(), 72);
      const auto b = testing::random_floats(p.out_c, 73);
      const auto dy = testing::random_floats(p.output_shape().numel(), 74);
      const Affine a = affine(p.in_c, 75);
      const ConvInputTransform t{&affine_relu6, &a};
      std::vector<float> xt(x.size());
      affine_relu6(&a, x.data(), p.batch * p.in_h * p.in_w, xt.data());
      // What the plain passes give on t(x).
      std::vector<float> y(p.output_shape().numel()), dx(x.size()), dw(p.weight_numel()), db(p.out_c);
      conv2d_forward(p, xt.data(), w.data(), b.data(), y.data());
      conv2d_backward(p, xt.data(), dy.data(), w.data(), dx.data(), dw.data(), db.data());
      for (int threads = 1; threads <= 3; ++threads) {
        set_num_threads(threads);
        const std::string at = what + " threads " + std::to_string(threads);
        std::vector<float> fy(y.size(), NAN), fdx(dx.size(), NAN), fdw(dw.size(), NAN), fdb(db.size(), NAN);
        conv2d_forward_transformed(p, x.data(), t, nullptr, w.data(), b.data(), fy.data());
        EXPECT_EQ(fy, y) << at;
        // Observed: the same bits, every row reported once.
        std::vector<int> reported(p.batch * p.out_h() * p.out_w(), 0);
        RowBlockObserver obs(static_cast<int64_t>(reported.size()), 5, [&](int64_t, int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) ++reported[r];
        });
        fy.assign(y.size(), NAN);
        conv2d_forward_transformed(p, x.data(), t, nullptr, w.data(), b.data(), fy.data(), &obs);
        EXPECT_EQ(fy, y) << at << " observed";
        EXPECT_TRUE(obs.complete()) << at;
        EXPECT_TRUE(std::all_of(reported.begin(), reported.end(), [](int n) { return n == 1; })) << at;
        conv2d_backward_weights_transformed(p, x.data(), t, dy.data(), fdw.data(), fdb.data());
        EXPECT_EQ(fdw, dw) << at << " backward-weights";
        if (bias) {
          EXPECT_EQ(fdb, db) << at << " backward-weights db";
        }
        fdw.assign(dw.size(), NAN);
        fdb.assign(db.size(), NAN);
        conv2d_backward_transformed(p, x.data(), t, dy.data(), w.data(), fdx.data(), fdw.data(), fdb.data());
        EXPECT_EQ(fdx, dx) << at << " backward dx";
        EXPECT_EQ(fdw, dw) << at << " backward dw";
        if (bias) {
          EXPECT_EQ(fdb, db) << at << " backward db";
        }
      }
    }
  }
  set_num_threads(saved);
}

// A transform that changes nothing would hide a pass reading x untransformed.
TEST(ConvTransformed, TransformIsApplied) {
  const Case c{2, 8, 8, 9, 5, 1, 1, 0, 1, ConvAlgo::kGemm1x1};
  const ConvParams p = params(c, false);
  auto x = testing::random_floats(p.input_shape().numel(), 81);
  for (float& v : x) v *= 8.0f;
  const auto w = testing::random_floats(p.weight_numel(), 82);
  const auto dy = testing::random_floats(p.output_shape().numel(), 83);
  const Affine a = affine(p.in_c, 84);
  std::vector<float> y(p.output_shape().numel()), fy(y.size()), dw(p.weight_numel()), fdw(dw.size());
  conv2d_forward(p, x.data(), w.data(), nullptr, y.data());
  conv2d_forward_transformed(p, x.data(), {&affine_relu6, &a}, nullptr, w.data(), nullptr, fy.data());
  EXPECT_NE(fy, y);
  conv2d_backward_weights(p, x.data(), dy.data(), dw.data(), nullptr);
  conv2d_backward_weights_transformed(p, x.data(), {&affine_relu6, &a}, dy.data(), fdw.data(), nullptr);
  EXPECT_NE(fdw, dw);
}

TEST(ConvTransformed, InPlaceOnlyFor1x1) {
  EXPECT_TRUE(conv2d_transforms_input_in_place(params({2, 8, 8, 9, 5, 1, 1, 0, 1, ConvAlgo::kAuto}, false)));
  EXPECT_FALSE(conv2d_transforms_input_in_place(params({2, 8, 8, 9, 5, 1, 2, 0, 1, ConvAlgo::kAuto}, false)));
  EXPECT_FALSE(conv2d_transforms_input_in_place(params({2, 8, 8, 9, 5, 3, 1, 1, 1, ConvAlgo::kAuto}, false)));
}

}  // namespace
}  // namespace nas::ops
