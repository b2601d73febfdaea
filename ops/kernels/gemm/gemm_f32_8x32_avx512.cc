// gemm_f32_8x32_avx512: see gemm_f32_mx32_avx512.h for layout and tiling.
// Compiled with -mavx512f -mfma (ops/gemm/CMakeLists.txt).
#include "ops/kernels/gemm/gemm_f32_kernels.h"
#include "ops/kernels/gemm/gemm_f32_mx32_avx512.h"

namespace nas::ops::kernels {

void gemm_f32_8x32_avx512(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                          int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  gemm_f32_mx32_avx512<8, false>(k, a, b, ldb, c, ldc, mr, nr, alpha, beta);
}

void gemm_f32_8x32_avx512_nt(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                              int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  gemm_f32_mx32_avx512<8, true>(k, a, b, ldb, c, ldc, mr, nr, alpha, beta);
}

}  // namespace nas::ops::kernels
