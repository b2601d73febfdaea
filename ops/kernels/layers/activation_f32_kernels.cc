#include "ops/kernels/layers/activation_f32_kernels.h"

#include "ops/core/status.h"

namespace nas::ops::kernels {

std::span<const ActivationF32Kernel> activation_f32_kernels() {
  // The one list that drives dispatch and the parity test.
  static constexpr ActivationF32Kernel kList[] = {
      {"activation_f32_scalar", Isa::kScalar, activation_f32_forward_scalar,
       activation_f32_backward_scalar},
      {"activation_f32_avx2", Isa::kAvx2, activation_f32_forward_avx2,
       activation_f32_backward_avx2},
      {"activation_f32_avx512", Isa::kAvx512, activation_f32_forward_avx512,
       activation_f32_backward_avx512},
  };
  return kList;
}

const ActivationF32Kernel& activation_f32_kernel(Isa isa) {
  for (const ActivationF32Kernel& k : activation_f32_kernels())
    if (k.isa == isa) return k;
  NAS_CHECK(false);
  return activation_f32_kernels()[0];
}

}  // namespace nas::ops::kernels
