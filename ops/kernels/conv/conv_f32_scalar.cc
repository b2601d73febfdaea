// conv_f32_scalar: the conv micro-kernels with 4-float vectors and 4-row tiles
// (see conv_f32_impl.h); compiled with this ISA's flags only.
#define NAS_CONV_NS scalar
#define NAS_CONV_V 4
#define NAS_CONV_MR 4
#include "ops/kernels/conv/conv_f32_impl.h"

namespace nas::ops::kernels {

ConvKernels conv_f32_scalar() { return scalar::make_table("conv_f32_scalar", Isa::kScalar); }

}  // namespace nas::ops::kernels
