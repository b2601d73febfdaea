// The BatchNorm kernels compiled for avx512 (flags in ops/layers/CMakeLists.txt).
#include "ops/kernels/layers/batch_norm_f32_body.h"
#include "ops/kernels/layers/batch_norm_f32_kernels.h"

namespace nas::ops::kernels {

void batch_norm_f32_stats_avx512(const float* x, int64_t rows, int64_t c, const float* shift,
                          double* s1, double* s2, float* scratch) {
  batch_norm_stats_body(x, rows, c, shift, s1, s2, scratch);
}

void batch_norm_f32_normalize_avx512(const float* x, int64_t rows, int64_t c, const float* mean,
                                   const float* scale, const float* beta, ActivationKind act,
                                   bool streaming, float* y) {
  batch_norm_normalize_body(x, rows, c, mean, scale, beta, act, streaming, y);
}

void batch_norm_f32_grad_sums_avx512(const float* x, const float* dy, int64_t rows, int64_t c,
                                   const float* mean, const float* scale, const float* beta,
                                   ActivationKind act, double* s1, double* s2, float* scratch) {
  batch_norm_grad_sums_body(x, dy, rows, c, mean, scale, beta, act, s1, s2, scratch);
}

void batch_norm_f32_grad_input_avx512(const float* x, const float* dy, int64_t rows, int64_t c,
                                    const float* mean, const float* scale, const float* beta,
                                    const float* a, const float* b, const float* d,
                                    ActivationKind act, float* dx) {
  batch_norm_grad_input_body(x, dy, rows, c, mean, scale, beta, a, b, d, act, dx);
}

void batch_norm_f32_stats_cached_avx512(const float* x, int64_t rows, int64_t c, const float* shift,
                                  double* s1, double* s2, float* scratch) {
  batch_norm_stats_cached_body(x, rows, c, shift, s1, s2, scratch);
}

void batch_norm_f32_grad_sums_cached_avx512(const float* x, const float* dy, int64_t rows, int64_t c,
                                      const float* mean, const float* scale, const float* beta,
                                      ActivationKind act, double* s1, double* s2,
                                      float* scratch) {
  batch_norm_grad_sums_cached_body(x, dy, rows, c, mean, scale, beta, act, s1, s2, scratch);
}

}  // namespace nas::ops::kernels
