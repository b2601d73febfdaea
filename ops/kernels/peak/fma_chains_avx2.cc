// avx2 FMA chains for the peak measurement (compiled with -mavx2 flags only
// here; see fma_chains.h).
#include <immintrin.h>

#include "ops/kernels/peak/fma_chains.h"

namespace nas::ops {

float fma_chains_avx2(int64_t iters, float seed) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(seed + 0.001f * i);
  // x = x * mul + add stays bounded (|mul| < 1): no overflow, no denormals.
  const __m256 mul = _mm256_set1_ps(0.999f), add = _mm256_set1_ps(0.001f);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(64) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0.0f;
  for (float x : lanes) total += x;
  return total;
}

}  // namespace nas::ops
