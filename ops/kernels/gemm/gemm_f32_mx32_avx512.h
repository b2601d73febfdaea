// AVX-512 FP32 micro-kernel, MR rows x 32 columns (two zmm per row).
// Included only by files compiled with -mavx512f -mfma (one per MR).
//
// Layout and tiling: the C tile lives in 2*MR zmm accumulators for the whole
// k loop. Per k step: two aligned zmm loads of the packed B panel, MR
// broadcasts of the packed A panel (folded into the FMAs as {1to16} memory
// operands), 2*MR independent FMAs. With MR = 12 that is 24 accumulators,
// enough independent chains to cover the FMA latency on Zen 4 (which splits a
// zmm FMA into two 256-bit halves) and leaves registers for the B loads.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace nas::ops::kernels {
namespace {

// B rows ahead to prefetch: when B is read in place every row is on another
// page, out of reach of the hardware prefetchers, so the distance must cover
// memory latency (~128 k steps of 16-24 FMAs each).
constexpr int64_t kPrefetchRows = 128;

// NV = zmm columns computed: 2, or 1 when nr <= 16 (a narrow last panel,
// e.g. the 144th column of 5 panels, costs half). Edge tiles store through
// lane masks and row bounds, with the same arithmetic as full tiles, so every
// C entry rounds the same whichever tile it falls in.
template <int MR, int NV, bool kStream>
void mx32_body(int64_t k, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc,
               int64_t mr, int64_t nr, float alpha, float beta) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  const bool full = mr == MR && nr == 16 * NV;
  if (full) {
    // C is read only at the end; start its lines on their way now.
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * j), _MM_HINT_T0);
  }
  const int64_t pf = kPrefetchRows * ldb;
  for (int64_t p = 0; p < k; ++p) {
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j)
      _mm_prefetch(reinterpret_cast<const char*>(b + pf + 16 * j), _MM_HINT_T0);
    __m512 bv[NV];
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) bv[j] = _mm512_loadu_ps(b + 16 * j);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i]);
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
    a += MR;
    b += ldb;
  }

  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  const bool nt = kStream && full && beta == 0.0f &&
                  ((reinterpret_cast<uintptr_t>(c) | (ldc * sizeof(float))) % 64) == 0;
  // Lane masks of the (possibly partial) columns of each zmm.
  __mmask16 mask[NV];
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) {
    const int64_t lanes = std::clamp<int64_t>(nr - 16 * j, 0, 16);
    mask[j] = static_cast<__mmask16>((1u << lanes) - 1u);
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (!full && i >= mr) break;
    float* row = c + i * ldc;
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) {
      __m512 v = _mm512_mul_ps(acc[i][j], va);
      if (full) {
        if (beta != 0.0f) v = _mm512_fmadd_ps(_mm512_loadu_ps(row + 16 * j), vb, v);
        if (nt)
          _mm512_stream_ps(row + 16 * j, v);
        else
          _mm512_storeu_ps(row + 16 * j, v);
      } else {
        if (beta != 0.0f) v = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[j], row + 16 * j), vb, v);
        _mm512_mask_storeu_ps(row + 16 * j, mask[j], v);
      }
    }
  }
}

// kStream: the _nt variant (see GemmF32Kernel::fn_nt).
template <int MR, bool kStream>
void gemm_f32_mx32_avx512(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                          int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  if (nr <= 16)
    mx32_body<MR, 1, kStream>(k, a, b, ldb, c, ldc, mr, nr, alpha, beta);
  else
    mx32_body<MR, 2, kStream>(k, a, b, ldb, c, ldc, mr, nr, alpha, beta);
}

}  // namespace
}  // namespace nas::ops::kernels
