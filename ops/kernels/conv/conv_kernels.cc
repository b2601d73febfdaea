#include "ops/kernels/conv/conv_kernels.h"

#include <vector>

namespace nas::ops::kernels {

const ConvKernels& conv_kernels() {
  static const ConvKernels k = [] {
    switch (cpu_features().best) {
      case Isa::kAvx512: return conv_f32_avx512();
      case Isa::kAvx2: return conv_f32_avx2();
      case Isa::kScalar: break;
    }
    return conv_f32_scalar();
  }();
  return k;
}

std::span<const ConvKernels> conv_kernels_available() {
  static const std::vector<ConvKernels> list = [] {
    std::vector<ConvKernels> v{conv_f32_scalar()};
    if (cpu_supports(Isa::kAvx2)) v.push_back(conv_f32_avx2());
    if (cpu_supports(Isa::kAvx512)) v.push_back(conv_f32_avx512());
    return v;
  }();
  return list;
}

}  // namespace nas::ops::kernels
