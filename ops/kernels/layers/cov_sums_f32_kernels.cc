#include "ops/kernels/layers/cov_sums_f32_kernels.h"

#include "ops/core/status.h"

namespace nas::ops::kernels {

int64_t cov_sums_scratch_floats(int64_t k) {
  // cov_sums_f32_body.h: the shifted chunk, the float tile sums, the float row sums.
  const int64_t kp = (k + 7) / 8 * 8;
  return kCovSumsChunkRows * kp + kp * kp + kp;
}

std::span<const CovSumsF32Kernel> cov_sums_f32_kernels() {
  // The one list that drives dispatch and the parity test.
  static constexpr CovSumsF32Kernel kList[] = {
      {"cov_sums_f32_scalar", Isa::kScalar, cov_sums_f32_scalar},
      {"cov_sums_f32_avx2", Isa::kAvx2, cov_sums_f32_avx2},
      {"cov_sums_f32_avx512", Isa::kAvx512, cov_sums_f32_avx512},
  };
  return kList;
}

const CovSumsF32Kernel& cov_sums_f32_kernel(Isa isa) {
  for (const CovSumsF32Kernel& k : cov_sums_f32_kernels())
    if (k.isa == isa) return k;
  NAS_CHECK(false);
  return cov_sums_f32_kernels()[0];
}

}  // namespace nas::ops::kernels
