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

#include <cstdint>

#include "ops/kernels/gemm/gemm_f32_tile_store.h"

namespace nas::ops::kernels {
namespace {

// B rows ahead to prefetch: when B is read in place every row is on another
// page, out of reach of the hardware prefetchers, so the distance must cover
// memory latency (~128 k steps of 16-24 FMAs each).
constexpr int64_t kPrefetchRows = 128;

template <int MR>
void gemm_f32_mx32_avx512(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                          int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  constexpr int kNr = 32;
  __m512 acc0[MR], acc1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    acc0[i] = _mm512_setzero_ps();
    acc1[i] = _mm512_setzero_ps();
  }
  const bool full = mr == MR && nr == kNr;
  if (full) {
    // C is read only at the end; start its lines on their way now.
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
    }
  }
  const int64_t pf = kPrefetchRows * ldb;
  for (int64_t p = 0; p < k; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(b + pf), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + pf + 16), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i]);
      acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
    }
    a += MR;
    b += ldb;
  }

  alignas(64) float tile[MR * kNr];
  float* cp = c;
  int64_t ldcp = ldc;
  if (!full) {
    load_edge_tile<MR, kNr>(tile, c, ldc, mr, nr, beta);
    cp = tile;
    ldcp = kNr;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      _mm512_storeu_ps(cp + i * ldcp, _mm512_mul_ps(acc0[i], va));
      _mm512_storeu_ps(cp + i * ldcp + 16, _mm512_mul_ps(acc1[i], va));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      float* row = cp + i * ldcp;
      _mm512_storeu_ps(row, _mm512_fmadd_ps(_mm512_loadu_ps(row), vb, _mm512_mul_ps(acc0[i], va)));
      _mm512_storeu_ps(row + 16,
                       _mm512_fmadd_ps(_mm512_loadu_ps(row + 16), vb, _mm512_mul_ps(acc1[i], va)));
    }
  }
  if (!full) store_edge_tile<kNr>(tile, c, ldc, mr, nr);
}

}  // namespace
}  // namespace nas::ops::kernels
