// gemm_f32_6x16_avx2: AVX2 + FMA3 FP32 micro-kernel, 6 rows x 16 columns.
// Compiled with -mavx2 -mfma (ops/gemm/CMakeLists.txt).
//
// Layout and tiling: the 6x16 C tile lives in 12 ymm accumulators for the
// whole k loop (the classic Haswell/Zen shape: 12 independent FMA chains cover
// 2 FMA ports x 4 cycles latency, 2 ymm for B, 1 for the A broadcast). Per k
// step: two aligned loads of the packed B panel, six broadcasts of the packed
// A panel, twelve FMAs.
#include <immintrin.h>

#include "ops/kernels/gemm/gemm_f32_kernels.h"
#include "ops/kernels/gemm/gemm_f32_tile_store.h"

namespace nas::ops::kernels {

void gemm_f32_6x16_avx2(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                        int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  constexpr int kMr = 6, kNr = 16;
  __m256 acc0[kMr], acc1[kMr];
#pragma GCC unroll 6
  for (int i = 0; i < kMr; ++i) {
    acc0[i] = _mm256_setzero_ps();
    acc1[i] = _mm256_setzero_ps();
  }
  const bool full = mr == kMr && nr == kNr;
  if (full) {
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i)
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
  }
  for (int64_t p = 0; p < k; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + i);
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
    a += kMr;
    b += ldb;
  }

  alignas(64) float tile[kMr * kNr];
  float* cp = c;
  int64_t ldcp = ldc;
  if (!full) {
    load_edge_tile<kMr, kNr>(tile, c, ldc, mr, nr, beta);
    cp = tile;
    ldcp = kNr;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      _mm256_storeu_ps(cp + i * ldcp, _mm256_mul_ps(acc0[i], va));
      _mm256_storeu_ps(cp + i * ldcp + 8, _mm256_mul_ps(acc1[i], va));
    }
  } else {
    const __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int i = 0; i < kMr; ++i) {
      float* row = cp + i * ldcp;
      _mm256_storeu_ps(row, _mm256_fmadd_ps(_mm256_loadu_ps(row), vb, _mm256_mul_ps(acc0[i], va)));
      _mm256_storeu_ps(row + 8,
                       _mm256_fmadd_ps(_mm256_loadu_ps(row + 8), vb, _mm256_mul_ps(acc1[i], va)));
    }
  }
  if (!full) store_edge_tile<kNr>(tile, c, ldc, mr, nr);
}

}  // namespace nas::ops::kernels
