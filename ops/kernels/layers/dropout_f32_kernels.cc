#include "ops/kernels/layers/dropout_f32_kernels.h"

#include "ops/core/status.h"
#include "ops/kernels/layers/dropout_f32_body.h"

namespace nas::ops::kernels {

DropoutKeys dropout_keys(uint64_t seed) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return {static_cast<uint32_t>(z), static_cast<uint32_t>(z >> 32)};
}

uint32_t dropout_threshold(float p) {
  return static_cast<uint32_t>(static_cast<double>(p) * 16777216.0);
}

bool dropout_keep_element(DropoutKeys keys, uint32_t threshold, uint32_t index) {
  return (dropout_hash(keys, index) >> 8) >= threshold;
}

std::span<const DropoutF32Kernel> dropout_f32_kernels() {
  static constexpr DropoutF32Kernel kList[] = {
      {"dropout_f32_scalar", Isa::kScalar, dropout_f32_scalar},
      {"dropout_f32_avx2", Isa::kAvx2, dropout_f32_avx2},
      {"dropout_f32_avx512", Isa::kAvx512, dropout_f32_avx512},
  };
  return kList;
}

const DropoutF32Kernel& dropout_f32_kernel(Isa isa) {
  for (const DropoutF32Kernel& k : dropout_f32_kernels())
    if (k.isa == isa) return k;
  NAS_CHECK(false);
  return dropout_f32_kernels()[0];
}

}  // namespace nas::ops::kernels
