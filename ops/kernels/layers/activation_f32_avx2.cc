// The activation kernels compiled for avx2 (flags in ops/layers/CMakeLists.txt).
#include "ops/kernels/layers/activation_f32_body.h"
#include "ops/kernels/layers/activation_f32_kernels.h"

namespace nas::ops::kernels {

void activation_f32_forward_avx2(ActivationKind kind, const float* x, float* y, int64_t n) {
  activation_forward_body(kind, x, y, n);
}

void activation_f32_backward_avx2(ActivationKind kind, const float* x, const float* dy, float* dx,
                                  int64_t n) {
  activation_backward_body(kind, x, dy, dx, n);
}

}  // namespace nas::ops::kernels
