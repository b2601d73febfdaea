// Kernel parity: every ISA table this CPU runs against the portable one, at
// tile sizes mr-1, mr, mr+1 (split into tiles of at most mr rows) and column
// counts around nr; skipped ISAs are simply absent from the list.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "ops/core/tensor.h"
#include "ops/kernels/conv/conv_kernels.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops::kernels {
namespace {

// C[rows][cols] over segments, via the table's tile kernel.
std::vector<float> run_tiles(const ConvKernels& K, int64_t rows, int64_t cols, int64_t k,
                             int64_t segs, const std::vector<float>& a, const std::vector<float>& b,
                             bool b_full, bool stream) {
  const int64_t a_row = segs * k, ncb = (cols + K.nr - 1) / K.nr;
  std::vector<int64_t> a_seg(segs), b_seg(segs);
  for (int64_t s = 0; s < segs; ++s) {
    a_seg[s] = s * k;
    b_seg[s] = s * k * ncb * K.nr;
  }
  // 64-byte aligned, so the streaming-store path really runs when asked for.
  std::shared_ptr<float[]> cbuf = allocate_floats(rows * cols);
  float* c = cbuf.get();
  std::fill(c, c + rows * cols, -1.0f);
  for (int64_t r0 = 0; r0 < rows; r0 += K.mr) {
    const float* ptrs[32];
    const int64_t m = std::min<int64_t>(K.mr, rows - r0);
    for (int64_t i = 0; i < m; ++i) ptrs[i] = a.data() + (r0 + i) * a_row;
    for (int64_t cb = 0; cb < ncb; ++cb) {
      ConvTileArgs t;
      t.m = m;
      t.n = std::min<int64_t>(K.nr, cols - cb * K.nr);
      t.segments = segs;
      t.a_seg = a_seg.data();
      t.b_seg = b_seg.data();
      t.k = k;
      t.a_rows = ptrs;
      t.b = b.data() + cb * K.nr;
      t.b_stride_k = ncb * K.nr;
      t.b_full = b_full;
      t.c = c + r0 * cols + cb * K.nr;
      t.c_stride_m = cols;
      t.stream = stream;
      K.tile(t);
    }
  }
  return std::vector<float>(c, c + rows * cols);
}

TEST(ConvKernels, TileMatchesPortableAroundTileEdges) {
  const auto& list = conv_kernels_available();
  ASSERT_GE(list.size(), 1u);
  for (const ConvKernels& K : list)
    for (int64_t rows : {int64_t{K.mr} - 1, int64_t{K.mr}, int64_t{K.mr} + 1})
      // Widths for every tile variant: half, one, one and a half vectors
      // (the half-vector tiles), partial vectors (masked B loads), full
      // blocks and a second partial block.
      for (int64_t cols : {int64_t{K.nr} / 4, int64_t{K.nr} / 2, int64_t{K.nr} / 2 + 3,
                           3 * int64_t{K.nr} / 4, int64_t{K.nr} - 1, int64_t{K.nr},
                           int64_t{K.nr} + 3, int64_t{K.nr} + 3 * int64_t{K.nr} / 4,
                           2 * int64_t{K.nr}})
        for (bool b_full : {true, false})
        for (int64_t k : {int64_t{7}, int64_t{70}}) {  // 70: long enough for the A prefetches
          const int64_t segs = 3, ncb = (cols + K.nr - 1) / K.nr;
          const auto a = testing::random_floats(rows * segs * k, 1);
          const auto b = testing::random_floats(segs * k * ncb * K.nr, 2);
          // b_full doubles as the streaming switch (cols == nr * 2 keeps rows aligned).
          const auto c = run_tiles(K, std::max<int64_t>(rows, 1), cols, k, segs, a, b, b_full, b_full);
          for (int64_t i = 0; i < std::max<int64_t>(rows, 1); ++i)
            for (int64_t j = 0; j < cols; ++j) {
              double want = 0;
              for (int64_t s = 0; s < segs; ++s)
                for (int64_t p = 0; p < k; ++p)
                  want += double{a[i * segs * k + s * k + p]} * b[(s * k + p) * ncb * K.nr + j];
              ASSERT_NEAR(c[i * cols + j], want, 1e-4 * (k / 7))
                  << K.name << " rows " << rows << " cols " << cols << " at " << i << "," << j;
            }
        }
}

// a_contiguous (row i of A at a_rows[0] + i, the 1x1 weight gradient's form)
// gives the same bits as the same rows passed as pointers, with accumulate
// and a prefetch range set, on every tile variant's width; and matches double.
TEST(ConvKernels, ContiguousRowsMatchRowPointers) {
  for (const ConvKernels& K : conv_kernels_available())
    for (int64_t m : {int64_t{1}, int64_t{K.mr} - 1, int64_t{K.mr}})
      for (int64_t n : {int64_t{K.nr} / 4, int64_t{K.nr} / 2, int64_t{K.nr} / 2 + 3,
                        3 * int64_t{K.nr} / 4, int64_t{K.nr}})
        for (int64_t k : {int64_t{5}, int64_t{150}}) {
          const int64_t lda = m + 3, ldb = n + 5;  // pixel rows of two NHWC tensors
          const auto a = testing::random_floats(k * lda, 7);
          const auto b = testing::random_floats(k * ldb + K.nr, 8);
          const auto c0 = testing::random_floats(m * n, 9);
          std::vector<float> c1 = c0, c2 = c0;
          const float* ptrs[32];
          for (int64_t i = 0; i < m; ++i) ptrs[i] = a.data() + 1 + i;
          ConvTileArgs t;
          t.m = m;
          t.n = n;
          t.k = k;
          t.a_rows = ptrs;
          t.a_stride_k = lda;
          t.b = b.data();
          t.b_stride_k = ldb;
          t.b_full = false;
          t.c_stride_m = n;
          t.accumulate = true;
          t.c = c1.data();
          K.tile(t);
          // Only the first pointer may be read: the others point at zeros.
          const std::vector<float> zeros(k * lda, 0.0f);
          const float* first[32];
          first[0] = ptrs[0];
          for (int64_t i = 1; i < m; ++i) first[i] = zeros.data();
          t.a_rows = first;
          t.a_contiguous = true;
          t.prefetch = b.data();
          t.prefetch_lines = k / 2;
          t.c = c2.data();
          K.tile(t);
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
              ASSERT_EQ(c1[i * n + j], c2[i * n + j]) << K.name << " m " << m << " n " << n << " k " << k;
              double want = c0[i * n + j];
              for (int64_t p = 0; p < k; ++p) want += double{a[p * lda + 1 + i]} * b[p * ldb + j];
              ASSERT_NEAR(c2[i * n + j], want, 1e-5 * k) << K.name << " m " << m << " n " << n;
            }
        }
}

TEST(ConvKernels, DepthwiseAndWinogradMatchPortable) {
  const auto& list = conv_kernels_available();
  const ConvKernels& ref = list[0];
  for (const ConvKernels& K : list) {
    for (int64_t c : {int64_t{5}, int64_t{16}, int64_t{40}}) {
      DwArgs a;
      a.h = 9; a.w = 11; a.c = c; a.kh = a.kw = 3; a.stride = 2; a.pad = 1; a.dilation = 1;
      a.oh = 5; a.ow = 6;
      const auto x = testing::random_floats(a.h * a.w * c, 3);
      const auto w = testing::random_floats(9 * c, 4);
      const auto dy = testing::random_floats(a.oh * a.ow * c, 5);
      a.x = x.data(); a.wt = w.data(); a.dy = dy.data();
      std::vector<float> y1(a.oh * a.ow * c);
      std::shared_ptr<float[]> y2 = allocate_floats(y1.size());  // aligned: streams when c allows
      a.row_begin = 0; a.row_end = a.oh;
      a.y = y1.data(); ref.dw_forward(a);
      a.y = y2.get(); a.stream = true; K.dw_forward(a);
      a.stream = false;
      for (size_t i = 0; i < y1.size(); ++i) ASSERT_NEAR(y1[i], y2[i], 1e-5) << K.name << " dw fwd c=" << c << " i=" << i;
      std::vector<float> d1(x.size()), d2(x.size());
      a.row_end = a.h;
      a.y = d1.data(); ref.dw_backward_data(a);
      a.y = d2.data(); K.dw_backward_data(a);
      for (size_t i = 0; i < d1.size(); ++i) ASSERT_NEAR(d1[i], d2[i], 1e-5) << K.name << " dw dx";
      std::vector<float> g1(w.size(), 0.0f), g2(w.size(), 0.0f);
      a.row_end = a.oh;
      a.dwt = g1.data(); ref.dw_backward_weights(a);
      a.dwt = g2.data(); K.dw_backward_weights(a);
      for (size_t i = 0; i < g1.size(); ++i) ASSERT_NEAR(g1[i], g2[i], 1e-4) << K.name << " dw dw";

      // Winograd: 3 tiles of a 6x6 patch, transformed in and back out.
      const auto img = testing::random_floats(6 * 6 * c, 6);
      const int64_t org[3] = {0, 2 * c, (2 * 6 + 2) * c};
      WinoInArgs in;
      in.x = img.data(); in.x_row = 6 * c; in.c = c; in.origin = org; in.tiles = 3;
      std::vector<float> v1(16 * 3 * c), v2(v1.size());
      in.v_plane = 3 * c;
      in.v = v1.data(); ref.wino_input(in);
      in.v = v2.data(); K.wino_input(in);
      for (size_t i = 0; i < v1.size(); ++i) ASSERT_NEAR(v1[i], v2[i], 1e-5) << K.name << " wino in";
      const uint8_t rows[3] = {2, 1, 2}, cols[3] = {2, 2, 1};
      const int64_t oorg[3] = {0, 2 * c, (2 * 6 + 2) * c};
      WinoOutArgs out;
      out.m = v1.data(); out.m_plane = 3 * c; out.c = c; out.origin = oorg;
      out.rows = rows; out.cols = cols; out.tiles = 3; out.y_row = 6 * c;
      std::vector<float> o1(6 * 6 * c, 0.0f), o2(o1.size(), 0.0f);
      out.y = o1.data(); ref.wino_output(out);
      out.y = o2.data(); K.wino_output(out);
      for (size_t i = 0; i < o1.size(); ++i) ASSERT_NEAR(o1[i], o2[i], 1e-4) << K.name << " wino out";
    }
  }
}

// Winograd F(7x7,2x2): weights, input and output transforms of every ISA
// compose to the 2x2 correlation of an 8x8 patch (channel j with kernel
// lane j), against double; and agree with the portable table.
TEST(ConvKernels, Winograd8TransformsComputeA2x2Correlation) {
  const auto& list = conv_kernels_available();
  std::vector<float> portable;
  for (const ConvKernels& K : list) {
    const int64_t c = K.nr;  // one channel per kernel lane
    ASSERT_LE(c, 64);
    // The same values per (point, channel) whatever c is, so ISAs compare.
    const auto d64 = testing::random_floats(64 * 64, 51);
    const auto g64 = testing::random_floats(4 * 64, 52);
    std::vector<float> d(64 * c), g(4 * c);
    for (int64_t p = 0; p < 64; ++p)
      for (int64_t ch = 0; ch < c; ++ch) {
        d[p * c + ch] = d64[p * 64 + ch];
        if (p < 4) g[p * c + ch] = g64[p * 64 + ch];
      }
    std::vector<float> u(64 * c), v(64 * c), m(64 * c), y(49 * c);
    Wino8WeightArgs wa;
    wa.g = g.data(); wa.u = u.data(); wa.u_plane = c;
    K.wino8_weights(wa);
    // Two runs of c/2 channels per point, as the phases come (the second
    // run of each point read from a separate copy, to check the pointers).
    const int64_t half = c / 2;
    std::vector<float> d2(d);
    const float* src[128];
    float* dst[98];
    for (int p = 0; p < 64; ++p) {
      src[p * 2] = d.data() + p * c;
      src[p * 2 + 1] = d2.data() + p * c + half;
    }
    for (int p = 0; p < 49; ++p) {
      dst[p * 2] = y.data() + p * c;
      dst[p * 2 + 1] = y.data() + p * c + half;
    }
    Wino8InArgs in;
    in.src = src; in.segs = 2; in.seg_c = half; in.v = v.data(); in.v_plane = c;
    K.wino8_input(in);
    for (size_t i = 0; i < m.size(); ++i) m[i] = u[i] * v[i];
    Wino8OutArgs out;
    out.m = m.data(); out.m_plane = c; out.dst = dst; out.segs = 2; out.seg_c = half;
    K.wino8_output(out);
    for (int i = 0; i < 7; ++i)
      for (int j = 0; j < 7; ++j)
        for (int64_t ch = 0; ch < c; ++ch) {
          double want = 0, scale = 0;
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
              const double t = double{d[((i + a) * 8 + j + b) * c + ch]} * g[(a * 2 + b) * c + ch];
              want += t;
              scale += std::fabs(t);
            }
          ASSERT_NEAR(y[(i * 7 + j) * c + ch], want, 1e-4 * scale + 1e-6)
              << K.name << " at " << i << "," << j << " ch " << ch;
        }
    if (portable.empty()) {
      portable = y;
    } else {
      for (int p = 0; p < 49; ++p)
        for (int64_t ch = 0; ch < std::min<int64_t>(c, list[0].nr); ++ch)
          ASSERT_NEAR(y[p * c + ch], portable[p * list[0].nr + ch], 1e-4) << K.name << " vs portable";
    }
  }
}

}  // namespace
}  // namespace nas::ops::kernels
