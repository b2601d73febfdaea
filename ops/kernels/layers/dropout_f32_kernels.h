// Dropout mask kernels: dst[i] = keep(i) ? src[i] * scale : 0 for element
// indices i in [begin, end), where keep(i) is a pure function of (keys, i).
// One file per ISA (dropout_f32_<isa>.cc) compiled from dropout_f32_body.h;
// 32-bit integer arithmetic only, so every variant vectorises and gives the
// same bits (the parity test checks).
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"

namespace nas::ops::kernels {

// The per-call hash keys, mixed once from a 64-bit seed (splitmix64).
struct DropoutKeys {
  uint32_t k1 = 0, k2 = 0;
};
DropoutKeys dropout_keys(uint64_t seed);
// Elements whose 24-bit hash fraction is below this are dropped: p * 2^24.
uint32_t dropout_threshold(float p);
// The mask of one element (portable; for tests and callers that need it).
bool dropout_keep_element(DropoutKeys keys, uint32_t threshold, uint32_t index);

// REQUIRES: 0 <= begin <= end <= 2^32. dst may alias src.
using DropoutF32Fn = void (*)(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                              float* dst, int64_t begin, int64_t end);

struct DropoutF32Kernel {
  const char* name;  // dropout_f32_<isa>
  Isa isa;
  DropoutF32Fn fn;
};

void dropout_f32_scalar(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                        float* dst, int64_t begin, int64_t end);
void dropout_f32_avx2(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                      float* dst, int64_t begin, int64_t end);
void dropout_f32_avx512(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                        float* dst, int64_t begin, int64_t end);

// Every variant built in, portable first; check cpu_supports(kernel.isa).
std::span<const DropoutF32Kernel> dropout_f32_kernels();
// REQUIRES: one is listed for isa.
const DropoutF32Kernel& dropout_f32_kernel(Isa isa);

}  // namespace nas::ops::kernels
