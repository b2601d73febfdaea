// Portable FMA chains for the peak measurement (see fma_chains.h).
#include <cmath>

#include "ops/kernels/peak/fma_chains.h"

namespace nas::ops {

float fma_chains_scalar(int64_t iters, float seed) {
  float acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = seed + 0.001f * i;
  for (int64_t it = 0; it < iters; ++it)
    for (float& a : acc) a = std::fma(a, 0.999f, 0.001f);
  float total = 0.0f;
  for (float a : acc) total += a;
  return total;
}

}  // namespace nas::ops
