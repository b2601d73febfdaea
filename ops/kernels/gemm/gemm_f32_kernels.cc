#include "ops/kernels/gemm/gemm_f32_kernels.h"

namespace nas::ops::kernels {

std::span<const GemmF32Kernel> gemm_f32_kernels() {
  // The one list that drives dispatch (ops/gemm/sgemm.cc), the parity test
  // and the benchmarks. Within an ISA, the first entry is the default tile.
  static constexpr GemmF32Kernel kList[] = {
      {"gemm_f32_4x8_scalar", Isa::kScalar, 4, 8, gemm_f32_4x8_scalar},
      {"gemm_f32_6x16_avx2", Isa::kAvx2, 6, 16, gemm_f32_6x16_avx2},
      {"gemm_f32_12x32_avx512", Isa::kAvx512, 12, 32, gemm_f32_12x32_avx512,
       gemm_f32_12x32_avx512_nt},
      {"gemm_f32_8x32_avx512", Isa::kAvx512, 8, 32, gemm_f32_8x32_avx512, gemm_f32_8x32_avx512_nt},
  };
  return kList;
}

}  // namespace nas::ops::kernels
