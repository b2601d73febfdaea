#include "ops/gemm/sgemm_pack.h"

#include <algorithm>

#include "ops/kernels/gemm/gemm_pack_f32.h"

namespace nas::ops {
namespace {

// W = panel width (mr or nr) as a compile-time constant where the kernels use
// it, so the inner copies unroll; kAny handles other widths.
constexpr int kAny = 0;

// Panel whose source rows are contiguous along k (A not transposed, or B
// transposed): element (r, p) at src[r*ld + p]. A 4-row strip walks k so each
// source row is read sequentially while the panel is written in order.
template <int W>
void pack_strided_rows(const float* src, int64_t ld, int64_t valid, int64_t kc, int width,
                       float* dst) {
  const int w = W == kAny ? width : W;
  for (int64_t r = 0; r < valid; ++r) {
    const float* s = src + r * ld;
    float* d = dst + r;
    for (int64_t p = 0; p < kc; ++p) d[p * w] = s[p];
  }
  for (int64_t r = valid; r < w; ++r)
    for (int64_t p = 0; p < kc; ++p) dst[p * w + r] = 0.0f;
}

// Panel whose source is contiguous along the panel width (A transposed, or B
// not transposed): element (r, p) at src[p*ld + r]: a row copy per k step.
template <int W>
void pack_contiguous_rows(const float* src, int64_t ld, int64_t valid, int64_t kc, int width,
                          float* dst) {
  const int w = W == kAny ? width : W;
  if (valid == w) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* s = src + p * ld;
      float* d = dst + p * w;
      for (int r = 0; r < w; ++r) d[r] = s[r];
    }
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const float* s = src + p * ld;
    float* d = dst + p * w;
    int64_t r = 0;
    for (; r < valid; ++r) d[r] = s[r];
    for (; r < w; ++r) d[r] = 0.0f;
  }
}

template <int W>
void pack_panels(const float* base, int64_t ld, bool contiguous, int64_t count, int64_t kc,
                 int width, float* dst) {
  const int w = W == kAny ? width : W;
  for (int64_t q = 0; q * w < count; ++q) {
    const int64_t valid = std::min<int64_t>(w, count - q * w);
    float* d = dst + q * w * kc;
    if (contiguous)
      pack_contiguous_rows<W>(base + q * w, ld, valid, kc, w, d);
    else
      pack_strided_rows<W>(base + q * w * ld, ld, valid, kc, w, d);
  }
}

// The AVX2 routines, panel by panel (any width).
void pack_panels_avx2(const float* base, int64_t ld, bool contiguous, int64_t count, int64_t kc,
                      int w, float* dst) {
  for (int64_t q = 0; q * w < count; ++q) {
    const int64_t valid = std::min<int64_t>(w, count - q * w);
    float* d = dst + q * w * kc;
    if (contiguous)
      kernels::gemm_pack_cols_f32_avx2(base + q * w, ld, valid, kc, w, d);
    else
      kernels::gemm_pack_rows_f32_avx2(base + q * w * ld, ld, valid, kc, w, d);
  }
}

void pack_any(const float* base, int64_t ld, bool contiguous, int64_t count, int64_t kc, int width,
              Isa isa, float* dst) {
  if (isa != Isa::kScalar) return pack_panels_avx2(base, ld, contiguous, count, kc, width, dst);
  switch (width) {
    case 4:
      return pack_panels<4>(base, ld, contiguous, count, kc, width, dst);
    case 6:
      return pack_panels<6>(base, ld, contiguous, count, kc, width, dst);
    case 8:
      return pack_panels<8>(base, ld, contiguous, count, kc, width, dst);
    case 12:
      return pack_panels<12>(base, ld, contiguous, count, kc, width, dst);
    case 16:
      return pack_panels<16>(base, ld, contiguous, count, kc, width, dst);
    case 32:
      return pack_panels<32>(base, ld, contiguous, count, kc, width, dst);
    default:
      return pack_panels<kAny>(base, ld, contiguous, count, kc, width, dst);
  }
}

}  // namespace

void pack_a_panels(const GemmArgs& g, int64_t i0, int64_t rows, int64_t p0, int64_t kc, int mr,
                   Isa isa, float* dst) {
  if (g.trans_a == Trans::kNo)  // A stored m x k: rows of A run along k
    pack_any(g.a + i0 * g.lda + p0, g.lda, /*contiguous=*/false, rows, kc, mr, isa, dst);
  else  // A stored k x m: each k step is a contiguous run of rows
    pack_any(g.a + p0 * g.lda + i0, g.lda, /*contiguous=*/true, rows, kc, mr, isa, dst);
}

void pack_b_panels(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t cols, int nr,
                   Isa isa, float* dst) {
  if (g.trans_b == Trans::kNo)  // B stored k x n: each k step is a contiguous run of columns
    pack_any(g.b + p0 * g.ldb + j0, g.ldb, /*contiguous=*/true, cols, kc, nr, isa, dst);
  else  // B stored n x k: columns of op(B) run along k
    pack_any(g.b + j0 * g.ldb + p0, g.ldb, /*contiguous=*/false, cols, kc, nr, isa, dst);
}

}  // namespace nas::ops
