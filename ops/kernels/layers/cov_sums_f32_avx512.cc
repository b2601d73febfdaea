// The covariance-sums kernel compiled for avx512 (flags in ops/layers/CMakeLists.txt).
#include "ops/kernels/layers/cov_sums_f32_body.h"
#include "ops/kernels/layers/cov_sums_f32_kernels.h"

namespace nas::ops::kernels {

void cov_sums_f32_avx512(const float* x, int64_t rows, int64_t k, const float* shift, double* s1,
                         double* s2, float* scratch) {
  cov_sums_body(x, rows, k, shift, s1, s2, scratch);
}

}  // namespace nas::ops::kernels
