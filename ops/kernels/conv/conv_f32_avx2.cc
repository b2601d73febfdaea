// conv_f32_avx2: the conv micro-kernels with 8-float vectors and 6-row tiles
// (see conv_f32_impl.h); compiled with this ISA's flags only.
#define NAS_CONV_NS avx2
#define NAS_CONV_V 8
#define NAS_CONV_MR 6
#include "ops/kernels/conv/conv_f32_impl.h"

namespace nas::ops::kernels {

ConvKernels conv_f32_avx2() { return avx2::make_table("conv_f32_avx2", Isa::kAvx2); }

}  // namespace nas::ops::kernels
