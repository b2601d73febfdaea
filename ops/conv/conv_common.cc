#include "ops/conv/conv_common.h"

#include <algorithm>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {

void pad_image(const PadSpec& s, const float* src, float* dst) {
  pad_image_rows(s, src, dst, 0, s.dst_h);
}

void pad_image_rows(const PadSpec& s, const float* src, float* dst, int64_t y0, int64_t y1) {
  const int64_t c = s.c;
  for (int64_t y = y0; y < y1; ++y) {
    float* row = dst + y * s.dst_w * c;
    const int64_t sy_num = y - s.top;
    const bool row_ok = sy_num >= 0 && sy_num % s.up == 0 && sy_num / s.up < s.src_h;
    if (!row_ok) {
      std::memset(row, 0, sizeof(float) * s.dst_w * c);
      continue;
    }
    const float* srow = src + (sy_num / s.up) * s.src_w * c;
    if (s.up == 1) {
      // Contiguous middle run, zero edges.
      const int64_t x0 = std::clamp<int64_t>(s.left, 0, s.dst_w);
      const int64_t x1 = std::clamp<int64_t>(s.left + s.src_w, x0, s.dst_w);
      std::memset(row, 0, sizeof(float) * x0 * c);
      if (x1 > x0) std::memcpy(row + x0 * c, srow + (x0 - s.left) * c, sizeof(float) * (x1 - x0) * c);
      std::memset(row + x1 * c, 0, sizeof(float) * (s.dst_w - x1) * c);
      continue;
    }
    for (int64_t x = 0; x < s.dst_w; ++x) {
      const int64_t sx_num = x - s.left;
      if (sx_num >= 0 && sx_num % s.up == 0 && sx_num / s.up < s.src_w)
        std::memcpy(row + x * c, srow + (sx_num / s.up) * c, sizeof(float) * c);
      else
        std::memset(row + x * c, 0, sizeof(float) * c);
    }
  }
}

namespace {
constexpr int64_t kParallelPadFloats = 64 * 1024;
}

void for_each_image(int64_t batch, int64_t items, const PadSpec& pad, const float* src,
                    int64_t src_image_floats,
                    const std::function<void(int64_t, const float*, int64_t, int64_t)>& work,
                    const PadRowsFn& rows_for) {
  const bool copy = !pad.identity();
  if (batch >= num_threads()) {
    parallel_for(batch, 1, [&](int64_t b, int64_t e) {
      ScratchScope scratch;
      float* buf = copy ? scratch.alloc_floats(pad.floats()) : nullptr;
      for (int64_t n = b; n < e; ++n) {
        const float* img = src + n * src_image_floats;
        if (copy) pad_image(pad, img, buf);
        work(n, copy ? buf : img, 0, items);
      }
    });
    return;
  }
  if (copy && rows_for && pad.floats() >= kParallelPadFloats) {
    for (int64_t n = 0; n < batch; ++n) {
      const float* img = src + n * src_image_floats;
      parallel_for(items, 1, [&](int64_t b, int64_t e) {
        int64_t y0 = 0, y1 = pad.dst_h;
        rows_for(b, e, &y0, &y1);
        ScratchScope s;
        float* band = s.alloc_floats(pad.floats());
        pad_image_rows(pad, img, band, std::max<int64_t>(y0, 0), std::min(y1, pad.dst_h));
        work(n, band, b, e);
      });
    }
    return;
  }
  ScratchScope scratch;
  float* buf = copy ? scratch.alloc_floats(pad.floats()) : nullptr;
  for (int64_t n = 0; n < batch; ++n) {
    const float* img = src + n * src_image_floats;
    // Large images (an RGB stem at 224) are padded by all threads; for small
    // ones a fork-join costs more than the copy.
    if (copy && pad.floats() >= kParallelPadFloats)
      parallel_for(pad.dst_h, 16, [&](int64_t b, int64_t e) { pad_image_rows(pad, img, buf, b, e); });
    else if (copy)
      pad_image(pad, img, buf);
    const float* in = copy ? buf : img;
    parallel_for(items, 1, [&](int64_t b, int64_t e) { work(n, in, b, e); });
  }
}

void add_bias(float* y, int64_t rows, int64_t c, const float* bias) {
  parallel_for(rows, 256, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      float* row = y + r * c;
      for (int64_t i = 0; i < c; ++i) row[i] += bias[i];
    }
  });
}

namespace {
constexpr int64_t kBiasChunks = 8;
}

void bias_grad(const float* dy, int64_t rows, int64_t c, float* db) {
  const int64_t chunks = std::min(kBiasChunks, std::max<int64_t>(rows, 1));
  ScratchScope scratch;
  float* partial = scratch.alloc_floats(chunks * c);
  std::memset(partial, 0, sizeof(float) * chunks * c);
  parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t ch = b; ch < e; ++ch) {
      float* acc = partial + ch * c;
      for (int64_t r = rows * ch / chunks; r < rows * (ch + 1) / chunks; ++r)
        for (int64_t i = 0; i < c; ++i) acc[i] += dy[r * c + i];
    }
  });
  sum_partials(partial, chunks, c, db);
}

int64_t wgrad_chunks(int64_t batch) { return std::min<int64_t>(batch, 8); }

void sum_partials(const float* partial, int64_t chunks, int64_t n, float* out) {
  parallel_for(n, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float s = partial[i];
      for (int64_t ch = 1; ch < chunks; ++ch) s += partial[ch * n + i];
      out[i] = s;
    }
  });
}

void sum_partials_transposed(const float* partial, int64_t chunks, int64_t out_c, int64_t out_g,
                             int64_t rows, float* out) {
  const int64_t n = out_c * rows;
  parallel_for(out_c, 1, [&](int64_t b, int64_t e) {
    for (int64_t oc = b; oc < e; ++oc) {
      const int64_t g = oc / out_g, co = oc % out_g;
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = partial + (g * rows + r) * out_g + co;
        float s = src[0];
        for (int64_t ch = 1; ch < chunks; ++ch) s += src[ch * n];
        out[oc * rows + r] = s;
      }
    }
  });
}

void wgrad_block(const WgradBlock& w) {
  const kernels::ConvKernels& K = kernels::conv_kernels();
  // Row blocks of near-equal size (16 rows: 8 + 8, not 12 + 4).
  const int64_t row_blocks = (w.rows + K.mr - 1) / K.mr;
  const int64_t col_blocks = (w.cols + K.nr - 1) / K.nr;
  const int64_t tiles = w.groups * row_blocks * col_blocks;
  // The next block's rows of a and b (contiguous runs of memory), one line
  // per k step spread over this block's tiles, so that its first tile does
  // not wait on memory row by row.
  const int64_t lines_a = w.next_a ? (w.next_k * w.lda + 15) / 16 : 0;
  const int64_t lines_b = w.next_b ? (w.next_k * w.ldb + 15) / 16 : 0;
  const int64_t per_tile = std::min(w.k, (lines_a + lines_b + tiles - 1) / tiles);
  for (int64_t ti = 0; ti < tiles; ++ti) {
    const int64_t g = ti / (row_blocks * col_blocks), rb = ti / col_blocks % row_blocks,
                  cb = ti % col_blocks;
    const int64_t r0 = w.rows * rb / row_blocks, r1 = w.rows * (rb + 1) / row_blocks;
    const float* arow[1] = {w.a + g * w.rows + r0};
    kernels::ConvTileArgs t;
    t.m = r1 - r0;
    t.n = std::min<int64_t>(K.nr, w.cols - cb * K.nr);
    t.k = w.k;
    t.a_rows = arow;
    t.a_contiguous = true;
    t.a_stride_k = w.lda;
    t.b = w.b + g * w.cols + cb * K.nr;
    t.b_stride_k = w.ldb;
    t.b_full = t.n == K.nr;
    t.c = w.c + (g * w.rows + r0) * w.cols + cb * K.nr;
    t.c_stride_m = w.cols;
    t.accumulate = w.accumulate;
    const int64_t l0 = ti * per_tile;
    if (l0 < lines_a) {
      t.prefetch = w.next_a + l0 * 16;
      t.prefetch_lines = std::min(per_tile, lines_a - l0);
    } else if (l0 - lines_a < lines_b) {
      t.prefetch = w.next_b + (l0 - lines_a) * 16;
      t.prefetch_lines = std::min(per_tile, lines_b - (l0 - lines_a));
    }
    K.tile(t);
  }
}

void flip_transpose_weights(const ConvParams& p, const float* w, float* wt) {
  const int64_t in_g = p.in_per_group(), out_g = p.out_per_group();
  const int kh = p.kernel_h, kw = p.kernel_w;
  for (int g = 0; g < p.groups; ++g)
    for (int64_t ci = 0; ci < in_g; ++ci)
      for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
          for (int64_t co = 0; co < out_g; ++co)
            wt[(((g * in_g + ci) * kh + y) * kw + x) * out_g + co] =
                w[(((g * out_g + co) * kh + (kh - 1 - y)) * kw + (kw - 1 - x)) * in_g + ci];
}

TransposedConv transposed_conv(const ConvParams& p) {
  TransposedConv t;
  ConvParams& q = t.params;
  q = p;
  q.in_h = p.out_h();
  q.in_w = p.out_w();
  q.in_c = p.out_c;
  q.out_c = p.in_c;
  q.stride = 1;
  q.pad = 0;
  q.bias = false;
  // Full correlation of the upsampled dy with the rotated kernel: pad by
  // d*(k-1) - pad on the leading side; the trailing side also covers input
  // rows the forward stride never reached.
  const int64_t eh = int64_t{p.dilation} * (p.kernel_h - 1), ew = int64_t{p.dilation} * (p.kernel_w - 1);
  PadSpec& s = t.pad;
  s.src_h = q.in_h;
  s.src_w = q.in_w;
  s.c = p.out_c;
  s.up = p.stride;
  s.top = eh - p.pad;
  s.left = ew - p.pad;
  s.dst_h = p.in_h + eh;  // so that a stride-1 conv of kernel extent eh+1 yields in_h rows
  s.dst_w = p.in_w + ew;
  q.in_h = s.dst_h;
  q.in_w = s.dst_w;
  return t;
}

void wino_point_product(int64_t points, int64_t xi, const float* v, int64_t cnt, int64_t k,
                        const float* u, int64_t n, float* m) {
  wino_point_product(points, xi, v, cnt * k, cnt, k, u, n, m, cnt * n);
}

int64_t WinoPrefetch::take(int64_t want, const float** p) {
  if (lines <= 0) return 0;
  const int64_t got = std::min(want, lines);
  *p = ptr;
  ptr += got * 16;
  lines -= got;
  return got;
}

void wino_point_product(int64_t points, int64_t xi, const float* v, int64_t v_plane, int64_t cnt,
                        int64_t k, const float* u, int64_t n, float* m, int64_t m_plane,
                        WinoPrefetch* pf) {
  const kernels::ConvKernels& K = kernels::conv_kernels();
  const int64_t ncob = (n + K.nr - 1) / K.nr;
  const float* arows[32];
  for (int64_t i0 = 0; i0 < cnt; i0 += K.mr) {
    const int64_t mm = std::min<int64_t>(K.mr, cnt - i0);
    for (int64_t i = 0; i < mm; ++i) arows[i] = v + xi * v_plane + (i0 + i) * k;
    for (int64_t cob = 0; cob < ncob; ++cob) {
      kernels::ConvTileArgs t;
      t.m = mm;
      t.n = std::min<int64_t>(K.nr, n - cob * K.nr);
      t.k = k;
      t.a_rows = arows;
      t.b = u + (cob * points + xi) * k * K.nr;
      t.b_stride_k = K.nr;
      t.c = m + xi * m_plane + i0 * n + cob * K.nr;
      t.c_stride_m = n;
      if (pf != nullptr) t.prefetch_lines = pf->take(std::min(pf->per_call, k), &t.prefetch);
      K.tile(t);
    }
  }
}

}  // namespace nas::ops::conv_detail
