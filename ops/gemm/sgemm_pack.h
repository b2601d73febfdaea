// Packing for the blocked SGEMM: copies a block of op(A) or op(B) into the
// panel layout the micro-kernels read (ops/kernels/gemm/gemm_f32_kernels.h).
// All four transpose forms are handled here, so the kernels see one layout.
#pragma once

#include <cstdint>

#include "ops/gemm/sgemm.h"

namespace nas::ops {

// Packs op(A)[i0 : i0+rows, p0 : p0+kc] into ceil(rows/mr) panels of kc*mr
// floats each (panel q holds rows q*mr.., k-major: mr floats per k step),
// zero-padding the last panel's missing rows. `isa` picks the copy routines
// (scalar: portable loops; otherwise the AVX2 ones). REQUIRES: cpu_supports(isa). dst holds
// ceil(rows/mr)*mr*kc floats.
void pack_a_panels(const GemmArgs& g, int64_t i0, int64_t rows, int64_t p0, int64_t kc, int mr,
                   Isa isa, float* dst);

// Packs op(B)[p0 : p0+kc, j0 : j0+cols] into ceil(cols/nr) panels of kc*nr
// floats (k-major: nr floats per k step), zero-padding the last panel's
// missing columns. dst holds ceil(cols/nr)*nr*kc floats.
void pack_b_panels(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t cols, int nr,
                   Isa isa, float* dst);

}  // namespace nas::ops
