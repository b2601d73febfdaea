// conv_f32_avx512: the conv micro-kernels with 16-float vectors and 12-row tiles
// (see conv_f32_impl.h); compiled with this ISA's flags only.
#define NAS_CONV_NS avx512
#define NAS_CONV_V 16
#define NAS_CONV_MR 12
#include "ops/kernels/conv/conv_f32_impl.h"

namespace nas::ops::kernels {

ConvKernels conv_f32_avx512() { return avx512::make_table("conv_f32_avx512", Isa::kAvx512); }

}  // namespace nas::ops::kernels
