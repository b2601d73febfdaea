// avx512 FMA chains for the peak measurement (compiled with -mavx512 flags only
// here; see fma_chains.h).
#include <immintrin.h>

#include "ops/kernels/peak/fma_chains.h"

namespace nas::ops {

float fma_chains_avx512(int64_t iters, float seed) {
  constexpr int kChains = 12;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(seed + 0.001f * i);
  // x = x * mul + add stays bounded (|mul| < 1): no overflow, no denormals.
  const __m512 mul = _mm512_set1_ps(0.999f), add = _mm512_set1_ps(0.001f);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.0f;
  for (float x : lanes) total += x;
  return total;
}

}  // namespace nas::ops
