#include "ops/kernels/layers/batch_norm_f32_kernels.h"

#include "ops/core/status.h"

namespace nas::ops::kernels {

#define NAS_BATCH_NORM_KERNEL(isa_name, isa)                                                 \
  {"batch_norm_f32_" #isa_name, isa, batch_norm_f32_stats_##isa_name,                      \
   batch_norm_f32_normalize_##isa_name, batch_norm_f32_grad_sums_##isa_name,               \
   batch_norm_f32_grad_input_##isa_name, batch_norm_f32_stats_cached_##isa_name,             \
   batch_norm_f32_grad_sums_cached_##isa_name}

std::span<const BatchNormF32Kernel> batch_norm_f32_kernels() {
  // The one list that drives dispatch and the parity test.
  static constexpr BatchNormF32Kernel kList[] = {
      NAS_BATCH_NORM_KERNEL(scalar, Isa::kScalar),
      NAS_BATCH_NORM_KERNEL(avx2, Isa::kAvx2),
      NAS_BATCH_NORM_KERNEL(avx512, Isa::kAvx512),
  };
  return kList;
}
#undef NAS_BATCH_NORM_KERNEL

const BatchNormF32Kernel& batch_norm_f32_kernel(Isa isa) {
  for (const BatchNormF32Kernel& k : batch_norm_f32_kernels())
    if (k.isa == isa) return k;
  NAS_CHECK(false);
  return batch_norm_f32_kernels()[0];
}

}  // namespace nas::ops::kernels
