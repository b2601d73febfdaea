// Depthwise kernels of every ISA table, called directly, against a naive
// double-precision depthwise convolution on geometries that reach each code
// path: the ring (narrow rows) and in-place (wide rows) forward, fixed and
// generic tiles, stride 1/2/3, dilation, non-square kernels, padding larger
// than the kernel reach, channel counts that are not a multiple of the
// vector width, row sub-ranges, the stride-phase backward-data and the
// register-tiled / row-swept weight gradients. Then the depthwise algorithm
// through conv2d: bit-identical results on 1 and 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_depthwise.h"
#include "ops/core/parallel.h"
#include "ops/core/row_block_observer.h"
#include "ops/core/tensor.h"
#include "ops/kernels/conv/conv_kernels.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

using kernels::ConvKernels;
using kernels::DwArgs;

struct Geo {
  int64_t h, w, c;
  int kh, kw, s, pad, d;
};

std::string describe(const Geo& g) {
  return std::to_string(g.h) + "x" + std::to_string(g.w) + "x" + std::to_string(g.c) + " k" +
         std::to_string(g.kh) + "x" + std::to_string(g.kw) + " s" + std::to_string(g.s) + " p" +
         std::to_string(g.pad) + " d" + std::to_string(g.d);
}

const std::vector<Geo>& geometries() {
  static const std::vector<Geo> list = {
      {14, 14, 128, 3, 3, 1, 1, 1},   // fixed 3x3 tiles, ring rows
      {9, 11, 5, 3, 3, 1, 1, 1},      // channels below one vector
      {13, 17, 33, 3, 3, 2, 1, 1},    // stride 2, odd sizes, channel tail
      {12, 12, 24, 3, 3, 2, 0, 1},    // stride 2 without padding
      {11, 10, 40, 5, 5, 2, 2, 1},    // 5x5 stride 2
      {10, 9, 20, 5, 5, 1, 2, 1},     // 5x5 stride 1, tail
      {9, 12, 17, 7, 7, 1, 3, 1},     // 7x7 (row-swept weight gradient)
      {8, 8, 16, 7, 7, 2, 3, 1},      // 7x7 stride 2 (generic tiles)
      {7, 13, 19, 1, 3, 1, 1, 1},     // non-square 1x3
      {9, 10, 16, 3, 5, 1, 2, 1},     // non-square 3x5
      {12, 11, 40, 3, 3, 1, 2, 2},    // dilation 2
      {13, 13, 24, 3, 3, 2, 2, 2},    // dilation 2, stride 2
      {10, 11, 18, 3, 3, 3, 1, 1},    // stride 3
      {6, 6, 8, 3, 3, 1, 3, 1},       // padding beyond the kernel reach
      {3, 2, 16, 3, 3, 2, 1, 1},      // image narrower than the kernel span
      {1, 5, 16, 3, 3, 2, 1, 1},      // one input row, stride 2
      {1, 1, 17, 3, 3, 2, 1, 1},      // one input pixel, stride 2
      {2, 3, 8, 5, 5, 3, 2, 1},       // stride 3 beyond the image
      {6, 66, 136, 3, 3, 1, 1, 1},    // wide rows: forward reads in place
      {7, 70, 130, 3, 3, 2, 1, 1},    // wide rows, stride 2, tail
      {5, 90, 100, 5, 5, 1, 2, 1},    // wide rows, 5x5
      {6, 3, 32, 7, 7, 1, 3, 1},      // one edge tile with zero columns on both sides
      {9, 20, 48, 5, 5, 2, 2, 1},     // 5x5 stride 2, even width: 1 zero column on the right
      {8, 17, 32, 3, 3, 1, 0, 1},     // fixed tiles without padding (no edge tiles)
      {10, 9, 32, 3, 3, 2, 2, 1},     // stride 2, padding beyond the kernel reach
  };
  return list;
}

int64_t out_size(int64_t n, int k, int s, int pad, int d) {
  return (n + 2 * pad - (int64_t{d} * (k - 1) + 1)) / s + 1;
}

struct Ref {
  std::vector<double> v, mag;  // value and sum of |terms|
};

// Calls f(out_pixel, in_pixel, tap) for every (output pixel, kernel tap)
// pair whose input pixel lies inside the image: the one walk all three
// references share.
template <typename F>
void for_each_valid_tap(const Geo& g, int64_t oh, int64_t ow, F f) {
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox)
      for (int ky = 0; ky < g.kh; ++ky)
        for (int kx = 0; kx < g.kw; ++kx) {
          const int64_t iy = oy * g.s - g.pad + ky * g.d, ix = ox * g.s - g.pad + kx * g.d;
          if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
          f(oy * ow + ox, iy * g.w + ix, int64_t{ky} * g.kw + kx);
        }
}

// r.v[dst] += a[ia] * b[ib] per channel, with the term's magnitude in r.mag.
void add_term(const Geo& g, Ref& r, int64_t dst, const std::vector<float>& a, int64_t ia,
              const std::vector<float>& b, int64_t ib) {
  for (int64_t ch = 0; ch < g.c; ++ch) {
    const double t = double{a[ia * g.c + ch]} * b[ib * g.c + ch];
    r.v[dst * g.c + ch] += t;
    r.mag[dst * g.c + ch] += std::fabs(t);
  }
}

// Depthwise on tap-major weights wt[(ky*kw+kx)*c + ch], one image.
Ref ref_forward(const Geo& g, int64_t oh, int64_t ow, const std::vector<float>& x,
                const std::vector<float>& wt) {
  Ref r{std::vector<double>(oh * ow * g.c), std::vector<double>(oh * ow * g.c)};
  for_each_valid_tap(g, oh, ow, [&](int64_t o, int64_t i, int64_t t) { add_term(g, r, o, x, i, wt, t); });
  return r;
}

Ref ref_backward_data(const Geo& g, int64_t oh, int64_t ow, const std::vector<float>& dy,
                      const std::vector<float>& wt) {
  Ref r{std::vector<double>(g.h * g.w * g.c), std::vector<double>(g.h * g.w * g.c)};
  for_each_valid_tap(g, oh, ow, [&](int64_t o, int64_t i, int64_t t) { add_term(g, r, i, dy, o, wt, t); });
  return r;
}

Ref ref_backward_weights(const Geo& g, int64_t oh, int64_t ow, const std::vector<float>& x,
                         const std::vector<float>& dy, const std::vector<float>& init) {
  Ref r{std::vector<double>(init.begin(), init.end()), std::vector<double>(init.size())};
  for (size_t i = 0; i < init.size(); ++i) r.mag[i] = std::fabs(init[i]);
  for_each_valid_tap(g, oh, ow, [&](int64_t o, int64_t i, int64_t t) { add_term(g, r, t, dy, o, x, i); });
  return r;
}

void expect_close(const std::vector<float>& got, const Ref& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.v.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want.v[i], 2e-6 * want.mag[i] + 1e-6) << what << " at " << i;
}

// Every ISA's three depthwise kernels on every geometry, each pass run in
// two row ranges (rows are split across threads that way), with no hint (the
// forward reads cached images in place, edge tiles at the borders), the
// L3 hint (software prefetch) and the from-memory hint (which switches to
// row-copying paths).
TEST(DepthwiseKernels, EveryIsaMatchesDoubleReference) {
  enum Hint { kCached, kPrefetch, kFromMemory };
  for (const ConvKernels& K : kernels::conv_kernels_available())
    for (const Geo& g : geometries())
    for (Hint hint : {kCached, kPrefetch, kFromMemory}) {
      const bool from_memory = hint == kFromMemory;
      const std::string what = std::string(K.name) + " " + describe(g) +
                               (from_memory ? " from memory" : hint == kPrefetch ? " prefetch" : "");
      DwArgs a;
      a.from_memory = from_memory;
      a.prefetch = hint == kPrefetch;
      a.h = g.h; a.w = g.w; a.c = g.c; a.kh = g.kh; a.kw = g.kw;
      a.stride = g.s; a.pad = g.pad; a.dilation = g.d;
      a.oh = out_size(g.h, g.kh, g.s, g.pad, g.d);
      a.ow = out_size(g.w, g.kw, g.s, g.pad, g.d);
      ASSERT_GT(a.oh, 0) << what;
      ASSERT_GT(a.ow, 0) << what;
      const auto x = testing::random_floats(g.h * g.w * g.c, 11);
      const auto wt = testing::random_floats(int64_t{g.kh} * g.kw * g.c, 12);
      const auto dy = testing::random_floats(a.oh * a.ow * g.c, 13);
      const auto init = testing::random_floats(wt.size(), 14);
      a.x = x.data(); a.wt = wt.data(); a.dy = dy.data();
      auto halves = [&](int64_t rows, auto fn) {
        const int64_t mid = rows / 2 + 1 < rows ? rows / 2 + 1 : rows;
        a.row_begin = 0; a.row_end = mid; fn();
        a.row_begin = mid; a.row_end = rows; fn();
      };

      std::vector<float> y(a.oh * a.ow * g.c, NAN);
      a.y = y.data();
      halves(a.oh, [&] { K.dw_forward(a); });
      expect_close(y, ref_forward(g, a.oh, a.ow, x, wt), what + " forward");

      std::vector<float> dx(x.size(), NAN);
      a.y = dx.data();
      halves(g.h, [&] { K.dw_backward_data(a); });
      expect_close(dx, ref_backward_data(g, a.oh, a.ow, dy, wt), what + " backward data");

      std::vector<float> dwt = init;  // the kernel accumulates
      a.dwt = dwt.data();
      halves(a.oh, [&] { K.dw_backward_weights(a); });
      expect_close(dwt, ref_backward_weights(g, a.oh, a.ow, x, dy, init), what + " backward weights");
    }
}

// Large outputs take non-temporal stores: straight to y when its pixels are
// vector-aligned, else through a row buffer streamed out per row. Same
// values either way, on the ring and in-place forward and backward-data.
TEST(DepthwiseKernels, StreamedOutputsMatch) {
  for (const ConvKernels& K : kernels::conv_kernels_available())
    for (const Geo& g : {Geo{6, 66, 128, 3, 3, 1, 1, 1}, Geo{7, 9, 40, 3, 3, 2, 1, 1},
                         Geo{5, 70, 130, 3, 3, 2, 1, 1}, Geo{6, 8, 21, 5, 5, 1, 2, 1}})
      for (int64_t misalign : {0, 1, 3})
        for (bool from_memory : {false, true}) {
          const std::string what = std::string(K.name) + " " + describe(g) + " misaligned by " +
                                   std::to_string(misalign) + (from_memory ? " from memory" : "");
          DwArgs a;
          a.h = g.h; a.w = g.w; a.c = g.c; a.kh = g.kh; a.kw = g.kw;
          a.stride = g.s; a.pad = g.pad; a.dilation = g.d;
          a.oh = out_size(g.h, g.kh, g.s, g.pad, g.d);
          a.ow = out_size(g.w, g.kw, g.s, g.pad, g.d);
          a.from_memory = from_memory;
          const auto x = testing::random_floats(g.h * g.w * g.c, 21);
          const auto wt = testing::random_floats(int64_t{g.kh} * g.kw * g.c, 22);
          const auto dy = testing::random_floats(a.oh * a.ow * g.c, 23);
          a.x = x.data(); a.wt = wt.data(); a.dy = dy.data();
          a.stream = true;
          const int64_t ny = a.oh * a.ow * g.c, nx = g.h * g.w * g.c;
          std::shared_ptr<float[]> buf = allocate_floats(std::max(ny, nx) + 16);
          a.y = buf.get() + misalign;
          a.row_begin = 0; a.row_end = a.oh;
          K.dw_forward(a);
          expect_close(std::vector<float>(a.y, a.y + ny), ref_forward(g, a.oh, a.ow, x, wt), what + " forward");
          a.row_end = g.h;
          K.dw_backward_data(a);
          expect_close(std::vector<float>(a.y, a.y + nx), ref_backward_data(g, a.oh, a.ow, dy, wt),
                       what + " backward data");
        }
}

// The depthwise algorithm through conv2d: the weight gradient's partials
// depend on the shape only, so 1 and 2 threads give the same bits; batches
// whose rows are cut into runs that cross images are checked against the
// reference too.
TEST(DepthwiseConv2d, SameBitsOnOneAndTwoThreadsAndMatchesReference) {
  struct Shape {
    int64_t n, h, w, c;
    int k, s;
  };
  for (const Shape& sh : {Shape{5, 9, 9, 24, 3, 1}, Shape{3, 13, 12, 21, 3, 2}, Shape{2, 10, 10, 16, 5, 1},
                          Shape{1, 7, 7, 40, 7, 1}, Shape{40, 4, 4, 16, 3, 1},
                          Shape{6, 28, 28, 240, 5, 1} /* 9 MB: L3-resident, prefetching */}) {
    ConvParams p;
    p.batch = sh.n; p.in_h = sh.h; p.in_w = sh.w; p.in_c = p.out_c = sh.c;
    p.kernel_h = p.kernel_w = sh.k; p.stride = sh.s; p.pad = sh.k / 2; p.groups = static_cast<int>(sh.c);
    p.algo = ConvAlgo::kDepthwise;
    const auto x = testing::random_floats(p.input_shape().numel(), 31);
    const auto w = testing::random_floats(p.weight_numel(), 32);
    const auto dy = testing::random_floats(p.output_shape().numel(), 33);
    std::vector<float> y[2], dx[2], dw[2];
    const int saved = num_threads();
    for (int t = 0; t < 2; ++t) {
      set_num_threads(t + 1);
      y[t].assign(dy.size(), 0.0f);
      dx[t].assign(x.size(), 0.0f);
      dw[t].assign(w.size(), 0.0f);
      conv2d_forward(p, x.data(), w.data(), nullptr, y[t].data());
      conv2d_backward_data(p, dy.data(), w.data(), dx[t].data());
      conv2d_backward_weights(p, x.data(), dy.data(), dw[t].data(), nullptr);
    }
    set_num_threads(saved);
    EXPECT_EQ(y[0], y[1]);
    EXPECT_EQ(dx[0], dx[1]);
    EXPECT_EQ(dw[0], dw[1]) << "weight gradient bits depend on the thread count";
    const auto ry = testing::ref_conv_forward(p, x, w, {});
    const auto rdx = testing::ref_conv_backward_data(p, dy, w);
    const auto rdw = testing::ref_conv_backward_weights(p, x, dy);
    char buf[96];
    std::snprintf(buf, sizeof buf, "n%ld %ldx%ldx%ld k%d s%d", static_cast<long>(sh.n),
                  static_cast<long>(sh.h), static_cast<long>(sh.w), static_cast<long>(sh.c), sh.k, sh.s);
    const std::string what = buf;
    expect_close(y[1], {ry.value, ry.abs_sum}, what + " forward");
    expect_close(dx[1], {rdx.value, rdx.abs_sum}, what + " backward data");
    expect_close(dw[1], {rdw.value, rdw.abs_sum}, what + " backward weights");
  }
}


// A stand-in for BatchNorm-apply + ReLU6: dst = min(max(src * a + b, 0), 6)
// per element (ctx holds a, b).
void affine_relu6(const void* ctx, const float* src, int64_t pixels, float* dst) {
  const float* ab = static_cast<const float*>(ctx);
  for (int64_t i = 0; i < pixels * ab[2]; ++i) dst[i] = std::min(std::max(src[i] * ab[0] + ab[1], 0.0f), 6.0f);
}

// The forward that transforms its input on the way (each input row as the
// row ring copies it, streamed once to xt) gives the bits of transforming
// first, for y and xt, on every ISA table, 1-3 threads and the geometries it
// takes (3x3 at stride 1 and 2, 5x5, odd channel counts), and declines the
// others without writing; conv2d_forward_transformed equals the two steps
// either way.
TEST(DepthwiseConv2d, TransformedInputSameBitsAsTransformingFirst) {
  struct Shape {
    int64_t n, h, w, c;
    int k, stride, pad;
    bool takes;
  };
  for (const Shape& sh : {Shape{40, 28, 28, 100, 3, 1, 1, true}, Shape{48, 28, 28, 96, 3, 2, 1, true},
                          Shape{20, 30, 29, 131, 5, 1, 2, true}, Shape{160, 27, 27, 37, 3, 2, 1, true},
                          Shape{48, 28, 28, 96, 3, 2, 0, false}, Shape{2, 14, 14, 32, 3, 1, 1, false}}) {
    ConvParams p;
    p.batch = sh.n; p.in_h = sh.h; p.in_w = sh.w; p.in_c = p.out_c = sh.c;
    p.kernel_h = p.kernel_w = sh.k; p.stride = sh.stride; p.pad = sh.pad;
    p.groups = static_cast<int>(sh.c);
    p.algo = ConvAlgo::kDepthwise;
    const std::string what = std::to_string(sh.n) + "x" + std::to_string(sh.h) + "x" + std::to_string(sh.w) +
                             "x" + std::to_string(sh.c) + " k" + std::to_string(sh.k) + " s" +
                             std::to_string(sh.stride) + " p" + std::to_string(sh.pad);
    auto x = testing::random_floats(p.input_shape().numel(), 61);
    for (float& v : x) v *= 8.0f;  // past both ends of relu6
    const auto w = testing::random_floats(p.weight_numel(), 62);
    const float ab[3] = {1.5f, 0.5f, static_cast<float>(sh.c)};
    const ConvInputTransform t{&affine_relu6, ab};
    std::vector<float> xt(x.size()), y(p.output_shape().numel());
    affine_relu6(ab, x.data(), p.batch * p.in_h * p.in_w, xt.data());
    conv2d_forward(p, xt.data(), w.data(), nullptr, y.data());
    const int saved = num_threads();
    for (int threads = 1; threads <= 3; ++threads) {
      set_num_threads(threads);
      std::vector<float> fxt(x.size(), NAN), fy(y.size(), NAN);
      EXPECT_EQ(conv_detail::depthwise_forward_transformed(p, x.data(), t, fxt.data(), w.data(), fy.data(), nullptr),
                sh.takes)
          << what;
      if (sh.takes) {
        EXPECT_EQ(fxt, xt) << what << " threads " << threads;
        EXPECT_EQ(fy, y) << what << " threads " << threads;
        // Without xt: y alone, the same bits.
        fy.assign(y.size(), NAN);
        ASSERT_TRUE(
            conv_detail::depthwise_forward_transformed(p, x.data(), t, nullptr, w.data(), fy.data(), nullptr));
        EXPECT_EQ(fy, y) << what << " without xt, threads " << threads;
      } else {
        EXPECT_TRUE(std::all_of(fxt.begin(), fxt.end(), [](float v) { return std::isnan(v); })) << what;
        EXPECT_TRUE(std::all_of(fy.begin(), fy.end(), [](float v) { return std::isnan(v); })) << what;
      }
      fxt.assign(x.size(), NAN);
      fy.assign(y.size(), NAN);
      conv2d_forward_transformed(p, x.data(), t, fxt.data(), w.data(), nullptr, fy.data());
      EXPECT_EQ(fxt, xt) << what << " conv2d, threads " << threads;
      EXPECT_EQ(fy, y) << what << " conv2d, threads " << threads;
    }
    set_num_threads(saved);
    if (!sh.takes) continue;
    // Every ISA's ring forward, one run over all rows of each image.
    std::vector<float> wt(p.taps() * p.in_c);
    for (int64_t ch = 0; ch < p.in_c; ++ch)
      for (int64_t tap = 0; tap < p.taps(); ++tap) wt[tap * p.in_c + ch] = w[ch * p.taps() + tap];
    for (const ConvKernels& K : kernels::conv_kernels_available()) {
      std::vector<float> kxt(x.size(), NAN), ky(y.size(), NAN), ref(y.size(), NAN);
      const int64_t x_img = p.in_h * p.in_w * p.in_c, y_img = p.out_h() * p.out_w() * p.in_c;
      // The ring forward over all rows of one image, from memory.
      auto ring_args = [&] {
        DwArgs a;
        a.h = p.in_h; a.w = p.in_w; a.c = p.in_c; a.kh = a.kw = sh.k;
        a.stride = sh.stride; a.pad = sh.pad; a.wt = wt.data();
        a.oh = p.out_h(); a.ow = p.out_w();
        a.row_begin = 0; a.row_end = a.oh;
        a.from_memory = true;
        return a;
      };
      for (int64_t n = 0; n < p.batch; ++n) {
        DwArgs a = ring_args();
        ASSERT_TRUE(kernels::dw_can_transform_input(a)) << what;
        DwArgs plain = a;
        plain.x = xt.data() + n * x_img;
        plain.y = ref.data() + n * y_img;
        K.dw_forward(plain);
        a.x = x.data() + n * x_img;
        a.y = ky.data() + n * y_img;
        a.xform = &affine_relu6;
        a.xform_ctx = ab;
        a.xt = kxt.data() + n * x_img;
        K.dw_forward(a);
      }
      EXPECT_EQ(kxt, xt) << what << " " << K.name;
      EXPECT_EQ(ky, ref) << what << " " << K.name;
      // Without xt: the same y, nothing else written.
      ky.assign(y.size(), NAN);
      for (int64_t n = 0; n < p.batch; ++n) {
        DwArgs a = ring_args();
        a.x = x.data() + n * x_img;
        a.y = ky.data() + n * y_img;
        a.xform = &affine_relu6;
        a.xform_ctx = ab;
        K.dw_forward(a);
      }
      EXPECT_EQ(ky, ref) << what << " " << K.name << " without xt";
    }
  }
}

// The one-pass backward (batches beyond the caches, stride 1, "same"
// padding) gives the two passes' bits on 1 and 2 threads, with and without a
// consumer of dx's finished rows, and declines other shapes without writing.
TEST(DepthwiseConv2d, FusedBackwardSameBitsAsTwoPasses) {
  struct Shape {
    int64_t n, h, w, c;
    int k;
  };
  // 18-26 MB of activations (beyond the 16 MB from-memory line); odd channel
  // counts take the channel tails, 5x5 and 7x7 the wider kernels.
  for (const Shape& sh : {Shape{40, 28, 28, 100, 3}, Shape{20, 30, 29, 131, 5}, Shape{14, 33, 35, 150, 7}}) {
    ConvParams p;
    p.batch = sh.n; p.in_h = sh.h; p.in_w = sh.w; p.in_c = p.out_c = sh.c;
    p.kernel_h = p.kernel_w = sh.k; p.pad = sh.k / 2; p.groups = static_cast<int>(sh.c);
    p.algo = ConvAlgo::kDepthwise;
    const auto x = testing::random_floats(p.input_shape().numel(), 41);
    const auto w = testing::random_floats(p.weight_numel(), 42);
    const auto dy = testing::random_floats(p.output_shape().numel(), 43);
    std::vector<float> dx(x.size()), dw(w.size());
    conv2d_backward_data(p, dy.data(), w.data(), dx.data());
    conv2d_backward_weights(p, x.data(), dy.data(), dw.data(), nullptr);
    const int saved = num_threads();
    for (int t = 1; t <= 2; ++t) {
      set_num_threads(t);
      std::vector<float> fdx(x.size(), NAN), fdw(w.size(), NAN);
      const bool fused =
          conv_detail::depthwise_backward_fused(p, x.data(), dy.data(), w.data(), fdx.data(), fdw.data());
      EXPECT_TRUE(fused) << sh.n << "x" << sh.h << "x" << sh.w << "x" << sh.c;
      EXPECT_EQ(fdx, dx) << "k" << sh.k << " threads " << t;
      EXPECT_EQ(fdw, dw) << "k" << sh.k << " threads " << t;
      // With a consumer of dx's rows: every pixel reported once, its values
      // already final when reported (copied then), the same bits.
      std::vector<float> seen(x.size(), NAN);
      std::vector<int> reports(p.batch * p.in_h * p.in_w, 0);
      std::mutex mu;
      fdx.assign(x.size(), NAN);
      ASSERT_TRUE(conv_detail::depthwise_backward_fused(
          p, x.data(), dy.data(), w.data(), fdx.data(), fdw.data(), [&](int64_t b, int64_t e) {
            std::lock_guard<std::mutex> lock(mu);
            ASSERT_EQ(b % p.in_w, 0);
            ASSERT_EQ(e % p.in_w, 0);
            for (int64_t i = b; i < e; ++i) ++reports[i];
            std::copy(fdx.begin() + b * p.in_c, fdx.begin() + e * p.in_c, seen.begin() + b * p.in_c);
          }));
      EXPECT_EQ(reports, std::vector<int>(reports.size(), 1)) << "k" << sh.k << " threads " << t;
      EXPECT_EQ(seen, dx) << "k" << sh.k << " threads " << t;
      EXPECT_EQ(fdx, dx) << "k" << sh.k << " threads " << t;
    }
    set_num_threads(saved);
  }
  // Through conv2d_backward (the algorithm pinned): the two passes' bits.
  {
    ConvParams p;
    p.batch = 40; p.in_h = p.in_w = 28; p.in_c = p.out_c = 100; p.groups = 100;
    p.kernel_h = p.kernel_w = 3; p.pad = 1; p.algo = ConvAlgo::kDepthwise;
    const auto x = testing::random_floats(p.input_shape().numel(), 51);
    const auto w = testing::random_floats(p.weight_numel(), 52);
    const auto dy = testing::random_floats(p.output_shape().numel(), 53);
    std::vector<float> dx(x.size()), dw(w.size()), fdx(x.size(), NAN), fdw(w.size(), NAN);
    conv2d_backward_data(p, dy.data(), w.data(), dx.data());
    conv2d_backward_weights(p, x.data(), dy.data(), dw.data(), nullptr);
    conv2d_backward(p, x.data(), dy.data(), w.data(), fdx.data(), fdw.data(), nullptr);
    EXPECT_EQ(fdx, dx);
    EXPECT_EQ(fdw, dw);
  }
  // Declined: cached batch, stride 2, padding that changes the size.
  ConvParams p;
  p.batch = 2; p.in_h = p.in_w = 14; p.in_c = p.out_c = 32; p.groups = 32;
  p.kernel_h = p.kernel_w = 3; p.pad = 1; p.algo = ConvAlgo::kDepthwise;
  std::vector<float> buf(8, 1.0f);
  EXPECT_FALSE(conv_detail::depthwise_backward_fused(p, buf.data(), buf.data(), buf.data(), buf.data(), buf.data()));
  p.batch = 64; p.in_h = p.in_w = 56; p.stride = 2;
  EXPECT_FALSE(conv_detail::depthwise_backward_fused(p, buf.data(), buf.data(), buf.data(), buf.data(), buf.data()));
  p.stride = 1; p.pad = 0;
  EXPECT_FALSE(conv_detail::depthwise_backward_fused(p, buf.data(), buf.data(), buf.data(), buf.data(), buf.data()));
  EXPECT_EQ(buf, std::vector<float>(8, 1.0f));
}


// The weight-gradient kernel of every ISA table, transforming x as its ring
// copies it (DwArgs::xform), against the plain kernel on t(x): the same bits
// on every geometry of the list it takes (fixed 3/5/7-column tiles at
// stride 1, 3/5 at stride 2, from memory), each image's rows in two runs.
TEST(DepthwiseKernels, WeightGradientTransformsInputLikeTransformingFirst) {
  int taken = 0;
  for (const ConvKernels& K : kernels::conv_kernels_available())
    for (const Geo& g : geometries()) {
      DwArgs a;
      a.from_memory = true;
      a.h = g.h; a.w = g.w; a.c = g.c; a.kh = g.kh; a.kw = g.kw;
      a.stride = g.s; a.pad = g.pad; a.dilation = g.d;
      a.oh = out_size(g.h, g.kh, g.s, g.pad, g.d);
      a.ow = out_size(g.w, g.kw, g.s, g.pad, g.d);
      if (!kernels::dw_weights_can_transform_input(a)) continue;
      ++taken;
      const std::string what = std::string(K.name) + " " + describe(g);
      auto x = testing::random_floats(g.h * g.w * g.c, 71);
      for (float& v : x) v *= 8.0f;  // past both ends of relu6
      const auto dy = testing::random_floats(a.oh * a.ow * g.c, 72);
      const auto init = testing::random_floats(int64_t{g.kh} * g.kw * g.c, 73);
      const float ab[3] = {1.5f, 0.5f, static_cast<float>(g.c)};
      std::vector<float> xt(x.size());
      affine_relu6(ab, x.data(), g.h * g.w, xt.data());
      a.dy = dy.data();
      auto halves = [&](DwArgs& args) {
        const int64_t mid = a.oh / 2 + 1 < a.oh ? a.oh / 2 + 1 : a.oh;
        args.row_begin = 0; args.row_end = mid; K.dw_backward_weights(args);
        args.row_begin = mid; args.row_end = a.oh; K.dw_backward_weights(args);
      };
      std::vector<float> want = init, got = init;
      DwArgs plain = a;
      plain.x = xt.data();
      plain.dwt = want.data();
      halves(plain);
      a.x = x.data();
      a.dwt = got.data();
      a.xform = &affine_relu6;
      a.xform_ctx = ab;
      halves(a);
      EXPECT_EQ(got, want) << what;
    }
  EXPECT_GE(taken, 10);  // the list reaches the transforming kernels
}

// The backward that reads the untransformed input (x rows transformed as
// the weight gradient's ring copies them) gives the bits of transforming
// first and running conv2d_backward with the depthwise algorithm: dx, dw
// and db, on 1-3 threads, with and without dx, with an observer of dx's
// rows; 3x3/5x5/7x7 at stride 1 (one pass, and two passes without "same"
// padding), 3x3/5x5 at stride 2, odd channel counts, batches beyond the
// caches. Other geometries are declined without writing anything.
TEST(DepthwiseConv2d, TransformedBackwardSameBitsAsTransformingFirst) {
  struct Shape {
    int64_t n, h, w, c;
    int k, stride, pad, dilation;
    bool takes;
  };
  // 17-26 MB of activations (beyond the 16 MB from-memory line) where taken.
  for (const Shape& sh : {Shape{40, 28, 28, 100, 3, 1, 1, 1, true}, Shape{48, 28, 28, 96, 3, 2, 1, 1, true},
                          Shape{20, 30, 29, 131, 5, 1, 2, 1, true}, Shape{60, 27, 27, 77, 5, 2, 2, 1, true},
                          Shape{14, 33, 35, 150, 7, 1, 3, 1, true}, Shape{40, 28, 28, 101, 3, 1, 0, 1, true},
                          Shape{2, 14, 14, 32, 3, 1, 1, 1, false} /* cached */,
                          Shape{6, 28, 28, 240, 5, 1, 2, 1, false} /* 9 MB: held by L3 */,
                          Shape{30, 28, 28, 91, 7, 2, 3, 1, false} /* 7x7 stride 2: no fixed tiles */,
                          Shape{40, 28, 28, 100, 3, 1, 2, 2, false} /* dilation */,
                          Shape{8, 12, 120, 256, 5, 1, 2, 1, false} /* ring beyond L2 */}) {
    ConvParams p;
    p.batch = sh.n; p.in_h = sh.h; p.in_w = sh.w; p.in_c = p.out_c = sh.c;
    p.kernel_h = p.kernel_w = sh.k; p.stride = sh.stride; p.pad = sh.pad; p.dilation = sh.dilation;
    p.groups = static_cast<int>(sh.c);
    p.bias = true;
    p.algo = ConvAlgo::kDepthwise;
    const std::string what = std::to_string(sh.n) + "x" + std::to_string(sh.h) + "x" + std::to_string(sh.w) +
                             "x" + std::to_string(sh.c) + " k" + std::to_string(sh.k) + " s" +
                             std::to_string(sh.stride) + " p" + std::to_string(sh.pad) + " d" +
                             std::to_string(sh.dilation);
    EXPECT_EQ(conv_detail::depthwise_backward_transforms(p), sh.takes) << what;
    auto x = testing::random_floats(p.input_shape().numel(), 81);
    for (float& v : x) v *= 8.0f;  // past both ends of relu6
    const auto w = testing::random_floats(p.weight_numel(), 82);
    const auto dy = testing::random_floats(p.output_shape().numel(), 83);
    const float ab[3] = {1.5f, 0.5f, static_cast<float>(sh.c)};
    const ConvInputTransform t{&affine_relu6, ab};
    if (!sh.takes) {
      std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN), db(sh.c, NAN);
      EXPECT_FALSE(conv_detail::depthwise_backward_transformed(p, x.data(), t, dy.data(), w.data(), dx.data(),
                                                               dw.data(), db.data()))
          << what;
      for (const auto* v : {&dx, &dw, &db})
        EXPECT_TRUE(std::all_of(v->begin(), v->end(), [](float f) { return std::isnan(f); })) << what;
      continue;
    }
    std::vector<float> xt(x.size());
    affine_relu6(ab, x.data(), p.batch * p.in_h * p.in_w, xt.data());
    std::vector<float> dx(x.size()), dw(w.size()), db(sh.c);
    conv2d_backward(p, xt.data(), dy.data(), w.data(), dx.data(), dw.data(), db.data());
    const int saved = num_threads();
    for (int threads = 1; threads <= 3; ++threads) {
      set_num_threads(threads);
      const std::string at = what + " threads " + std::to_string(threads);
      std::vector<float> fdx(x.size(), NAN), fdw(w.size(), NAN), fdb(sh.c, NAN);
      ASSERT_TRUE(conv_detail::depthwise_backward_transformed(p, x.data(), t, dy.data(), w.data(), fdx.data(),
                                                              fdw.data(), fdb.data()))
          << at;
      EXPECT_EQ(fdx, dx) << at;
      EXPECT_EQ(fdw, dw) << at;
      EXPECT_EQ(fdb, db) << at;
      // Without dx: dw and db alone.
      fdw.assign(w.size(), NAN);
      fdb.assign(sh.c, NAN);
      ASSERT_TRUE(conv_detail::depthwise_backward_transformed(p, x.data(), t, dy.data(), w.data(), nullptr,
                                                              fdw.data(), fdb.data()))
          << at;
      EXPECT_EQ(fdw, dw) << at << " without dx";
      EXPECT_EQ(fdb, db) << at << " without dx";
      if (threads != 2) continue;
      // With an observer of dx's rows: every block seen once, final when seen.
      const int64_t rows = p.batch * p.in_h * p.in_w;
      std::vector<float> seen(x.size(), NAN);
      RowBlockObserver observer(rows, 64, [&](int64_t, int64_t b, int64_t e) {
        std::copy(fdx.begin() + b * p.in_c, fdx.begin() + e * p.in_c, seen.begin() + b * p.in_c);
      });
      observer.reset();
      fdx.assign(x.size(), NAN);
      ASSERT_TRUE(conv_detail::depthwise_backward_transformed(p, x.data(), t, dy.data(), w.data(), fdx.data(),
                                                              fdw.data(), nullptr, &observer))
          << at;
      EXPECT_TRUE(observer.complete()) << at;
      EXPECT_EQ(seen, dx) << at << " observed";
      EXPECT_EQ(fdw, dw) << at << " observed";
    }
    set_num_threads(saved);
  }
}

}  // namespace
}  // namespace nas::ops
