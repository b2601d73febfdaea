// The dropout mask kernel compiled for avx512 (flags in ops/layers/CMakeLists.txt).
#include "ops/kernels/layers/dropout_f32_body.h"
#include "ops/kernels/layers/dropout_f32_kernels.h"

namespace nas::ops::kernels {

void dropout_f32_avx512(DropoutKeys keys, uint32_t threshold, float scale, const float* src,
                        float* dst, int64_t begin, int64_t end) {
  dropout_body(keys, threshold, scale, src, dst, begin, end);
}

}  // namespace nas::ops::kernels
