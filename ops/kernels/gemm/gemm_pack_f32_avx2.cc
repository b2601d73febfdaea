// AVX2 packing routines for the SGEMM driver (compiled with -mavx2 -mfma).
//
// pack_rows: the transposing copy of a row-major block into a k-major panel
// (A not transposed): 8 rows x 8 k steps are loaded as 8 ymm, transposed in
// registers (unpack / shuffle / permute) and stored as 8 contiguous k steps;
// a 4-row group uses the SSE 4x4 transpose. About ten times fewer
// instructions than the element-by-element copy.
// pack_cols: a row copy per k step (B not transposed), 8 floats per move.
#include <immintrin.h>

#include "ops/kernels/gemm/gemm_pack_f32.h"

namespace nas::ops::kernels {
namespace {

// dst[p*w + j] = s[j*ld + p] for j < 8, p < 8.
inline void transpose8x8(const float* s, int64_t ld, float* dst, int w) {
  __m256 r0 = _mm256_loadu_ps(s + 0 * ld), r1 = _mm256_loadu_ps(s + 1 * ld);
  __m256 r2 = _mm256_loadu_ps(s + 2 * ld), r3 = _mm256_loadu_ps(s + 3 * ld);
  __m256 r4 = _mm256_loadu_ps(s + 4 * ld), r5 = _mm256_loadu_ps(s + 5 * ld);
  __m256 r6 = _mm256_loadu_ps(s + 6 * ld), r7 = _mm256_loadu_ps(s + 7 * ld);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * w, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * w, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * w, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * w, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * w, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * w, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * w, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * w, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// dst[p*w + j] = s[j*ld + p] for j < 4, p < 4.
inline void transpose4x4(const float* s, int64_t ld, float* dst, int w) {
  __m128 r0 = _mm_loadu_ps(s), r1 = _mm_loadu_ps(s + ld);
  __m128 r2 = _mm_loadu_ps(s + 2 * ld), r3 = _mm_loadu_ps(s + 3 * ld);
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  _mm_storeu_ps(dst, r0);
  _mm_storeu_ps(dst + w, r1);
  _mm_storeu_ps(dst + 2 * w, r2);
  _mm_storeu_ps(dst + 3 * w, r3);
}

}  // namespace

void gemm_pack_rows_f32_avx2(const float* src, int64_t ld, int64_t rows, int64_t kc, int w,
                             float* dst) {
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) transpose8x8(src + r * ld + p, ld, dst + p * w + r, w);
    for (; p < kc; ++p)
      for (int64_t j = 0; j < 8; ++j) dst[p * w + r + j] = src[(r + j) * ld + p];
  }
  for (; r + 4 <= rows; r += 4) {
    int64_t p = 0;
    for (; p + 4 <= kc; p += 4) transpose4x4(src + r * ld + p, ld, dst + p * w + r, w);
    for (; p < kc; ++p)
      for (int64_t j = 0; j < 4; ++j) dst[p * w + r + j] = src[(r + j) * ld + p];
  }
  for (; r < rows; ++r)
    for (int64_t p = 0; p < kc; ++p) dst[p * w + r] = src[r * ld + p];
  for (; r < w; ++r)
    for (int64_t p = 0; p < kc; ++p) dst[p * w + r] = 0.0f;
}

void gemm_pack_cols_f32_avx2(const float* src, int64_t ld, int64_t cols, int64_t kc, int w,
                             float* dst) {
  if (cols == w && w % 8 == 0) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* s = src + p * ld;
      float* d = dst + p * w;
      for (int j = 0; j < w; j += 8) _mm256_storeu_ps(d + j, _mm256_loadu_ps(s + j));
    }
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const float* s = src + p * ld;
    float* d = dst + p * w;
    int64_t j = 0;
    for (; j < cols; ++j) d[j] = s[j];
    for (; j < w; ++j) d[j] = 0.0f;
  }
}

}  // namespace nas::ops::kernels
