// The loops of the covariance-sums kernels, included once per ISA file
// (cov_sums_f32_<isa>.cc) and compiled with that file's flags.
//
// Layout and tiling: each chunk of up to kCovSumsChunkRows rows is first
// copied, shifted, into scratch with its rows padded with zeros to kp, a
// multiple of 8 floats, so that every later loop runs over whole 8-float
// strips with no tail (the padded columns only ever add 0 * v). The products
// are then summed per 8 x 8 block of the upper triangle (rows i0 .. i0+8 by
// columns j0 .. j0+8, j0 >= i0): 8 sums of 8 floats held in registers as GCC
// vectors, one broadcast-multiply-add each per input row. 8-float strips,
// not 16, even with AVX-512: the blocks on the diagonal and the padding waste
// a quarter of the products instead of half or more (k = 16: 192 products a
// row instead of 256; k = 24: 384 instead of 640), and on AMD's Zen 4, which
// runs a 16-float operation as two 8-float ones, that is what the time goes
// by. Every float sum runs over the chunk's rows in order starting from 0,
// whatever the vector width, so every ISA gives the same bits.
// Internal linkage (anonymous namespace): each ISA file gets its own copy.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/kernels/layers/cov_sums_f32_kernels.h"

namespace nas::ops::kernels {
namespace {

inline constexpr int64_t kCovStrip = 8;

inline int64_t cov_padded(int64_t k) { return (k + kCovStrip - 1) / kCovStrip * kCovStrip; }

// One 8-float strip as a GCC vector: one ymm with AVX2 or AVX-512, two xmm
// in the portable build. Element-wise + and * (no FMA: the files build with
// -ffp-contract=off), so each lane computes exactly what a scalar loop
// would. g++ 12 does not vectorise the plain loop nest the way this needs
// (it packs across the block's rows and shuffles every step). Loads and
// stores go through memcpy (unaligned; no function returns a vector, which
// -Wpsabi would flag in the portable build).
typedef float CovVec __attribute__((vector_size(kCovStrip * sizeof(float))));

// acc[ii * kp + jj] = sum over the n rows of v of v[i0 + ii] * v[j0 + jj],
// for ii, jj < 8.
inline void cov_block(const float* __restrict v, int64_t n, int64_t kp, int64_t i0, int64_t j0,
                      float* __restrict acc) {
  CovVec t[kCovStrip];
  for (int ii = 0; ii < kCovStrip; ++ii) t[ii] = CovVec{};
  for (int64_t r = 0; r < n; ++r) {
    const float* vr = v + r * kp;
    CovVec b;
    __builtin_memcpy(&b, vr + j0, sizeof b);
    for (int ii = 0; ii < kCovStrip; ++ii) t[ii] += vr[i0 + ii] * b;
  }
  for (int ii = 0; ii < kCovStrip; ++ii) __builtin_memcpy(acc + ii * kp, &t[ii], sizeof(CovVec));
}

// a1[jj] = sum over the n rows of v of v[j0 + jj], for jj < 8 (in a
// register: a sum through memory would wait on a store every row).
inline void cov_column_sums(const float* __restrict v, int64_t n, int64_t kp, int64_t j0,
                            float* __restrict a1) {
  CovVec t = CovVec{};
  for (int64_t r = 0; r < n; ++r) {
    CovVec b;
    __builtin_memcpy(&b, v + r * kp + j0, sizeof b);
    t += b;
  }
  __builtin_memcpy(a1, &t, sizeof t);
}

// v[r, :k] = x[r, :] - shift, v[r, k:kp] = 0.
inline void cov_shift_rows(const float* __restrict x, int64_t n, int64_t k, int64_t kp,
                           const float* __restrict shift, float* __restrict v) {
  for (int64_t r = 0; r < n; ++r) {
    const float* xr = x + r * k;
    float* vr = v + r * kp;
    for (int64_t j = 0; j < k; ++j) vr[j] = xr[j] - shift[j];
    for (int64_t j = k; j < kp; ++j) vr[j] = 0.0f;
  }
}

inline void cov_sums_body(const float* x, int64_t rows, int64_t k, const float* shift,
                          double* __restrict s1, double* __restrict s2, float* scratch) {
  const int64_t kp = cov_padded(k);
  float* v = scratch;                       // kCovSumsChunkRows x kp
  float* acc = v + kCovSumsChunkRows * kp;  // kp x kp (upper blocks used)
  float* a1 = acc + kp * kp;                // kp
  for (int64_t r0 = 0; r0 < rows; r0 += kCovSumsChunkRows) {
    const int64_t n = std::min(rows, r0 + kCovSumsChunkRows) - r0;
    cov_shift_rows(x + r0 * k, n, k, kp, shift, v);
    for (int64_t j0 = 0; j0 < kp; j0 += kCovStrip) cov_column_sums(v, n, kp, j0, a1 + j0);
    for (int64_t i0 = 0; i0 < kp; i0 += kCovStrip)
      for (int64_t j0 = i0; j0 < kp; j0 += kCovStrip)
        cov_block(v, n, kp, i0, j0, acc + i0 * kp + j0);
    for (int64_t i = 0; i < k; ++i) {
      s1[i] += static_cast<double>(a1[i]);
      const float* __restrict ai = acc + i * kp;
      double* __restrict si = s2 + i * k;
      for (int64_t j = i; j < k; ++j) si[j] += static_cast<double>(ai[j]);
    }
  }
}

}  // namespace
}  // namespace nas::ops::kernels
