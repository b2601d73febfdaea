#include "ops/seq/seq_math.h"

#include <algorithm>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/gemm/sgemm.h"

namespace nas::ops::seq {

void linear_forward(const float* x, int64_t rows, int64_t in, const float* w, const float* bias,
                    int64_t out, float* y) {
  GemmArgs g;
  g.m = rows; g.n = out; g.k = in;
  g.a = x; g.lda = in; g.b = w; g.ldb = out; g.c = y; g.ldc = out;
  if (bias != nullptr) {
    parallel_for(rows, 64, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) std::memcpy(y + r * out, bias, out * sizeof(float));
    });
    g.beta = 1.0f;
  }
  sgemm(g);
}

void linear_backward(const float* x, int64_t rows, int64_t in, const float* w, int64_t out,
                     const float* dy, float* dx, float* dw, float* dbias, bool accumulate) {
  if (dx != nullptr) {
    GemmArgs g;
    g.trans_b = Trans::kYes;
    g.m = rows; g.n = in; g.k = out;
    g.a = dy; g.lda = out; g.b = w; g.ldb = out; g.c = dx; g.ldc = in;
    sgemm(g);
  }
  if (dw != nullptr) {
    GemmArgs g;
    g.trans_a = Trans::kYes;
    g.m = in; g.n = out; g.k = rows;
    g.a = x; g.lda = in; g.b = dy; g.ldb = out; g.c = dw; g.ldc = out;
    g.beta = accumulate ? 1.0f : 0.0f;
    sgemm(g);
  }
  if (dbias != nullptr) column_sum(dy, rows, out, out, dbias, accumulate);
}

namespace {
GemmArgs gemm_args(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  GemmArgs g;
  g.trans_a = trans_a ? Trans::kYes : Trans::kNo;
  g.trans_b = trans_b ? Trans::kYes : Trans::kNo;
  g.m = m; g.n = n; g.k = k;
  g.a = a; g.lda = lda; g.b = b; g.ldb = ldb; g.beta = beta; g.c = c; g.ldc = ldc;
  return g;
}
}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  sgemm(gemm_args(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc));
}

void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  GemmArgs g = gemm_args(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc);
  g.parallel = false;
  sgemm(g);
}

void column_sum(const float* x, int64_t rows, int64_t cols, int64_t ld, float* out,
                bool accumulate) {
  // Column blocks of 64: each block's rows are summed in order by one task.
  const int64_t blocks = (cols + 63) / 64;
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t c0 = blk * 64, c1 = std::min(cols, c0 + 64);
      float acc[64];
      for (int64_t c = c0; c < c1; ++c) acc[c - c0] = accumulate ? out[c] : 0.0f;
      for (int64_t r = 0; r < rows; ++r) {
        const float* row = x + r * ld;
        for (int64_t c = c0; c < c1; ++c) acc[c - c0] += row[c];
      }
      for (int64_t c = c0; c < c1; ++c) out[c] = acc[c - c0];
    }
  });
}

void swap_bt(const float* src, int64_t b, int64_t t, int64_t x, float* dst) {
  parallel_for(b * t, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t bi = r / t, ti = r % t;
      std::memcpy(dst + (ti * b + bi) * x, src + r * x, x * sizeof(float));
    }
  });
}

}  // namespace nas::ops::seq
