// The dropout mask loop, included once per ISA file and compiled with its
// flags. The hash: index * golden ratio xor k1 through murmur3's fmix32, then
// one more xor-multiply round with k2, so masks of different seeds are not
// shifts of one sequence; 32-bit multiplies vectorise (vpmulld), 64-bit ones
// do not on AVX2. Internal linkage: see fast_math_f32.h.
#pragma once

#include <cstdint>

#include "ops/kernels/layers/dropout_f32_kernels.h"

namespace nas::ops::kernels {
namespace {

inline uint32_t dropout_hash(DropoutKeys k, uint32_t index) {
  uint32_t h = (index * 0x9E3779B1u) ^ k.k1;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  h ^= k.k2;
  h *= 0x27D4EB2Fu;
  return h ^ (h >> 15);
}

inline void dropout_body(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                         float* dst, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float v = src[i] * scale;
    const bool keep = (dropout_hash(keys, static_cast<uint32_t>(i)) >> 8) >= threshold;
    dst[i] = keep ? v : 0.0f;
  }
}

}  // namespace
}  // namespace nas::ops::kernels
