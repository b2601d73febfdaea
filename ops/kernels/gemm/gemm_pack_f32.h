// Packing routines for the SGEMM driver, per ISA like the micro-kernels.
// A panel is k-major: dst[p*w + r] for p < kc, r < w (w = the kernel's MR or
// NR), rows / columns past the valid count zero-filled.
#pragma once

#include <cstdint>

namespace nas::ops::kernels {

// Panel whose source lines run along k (A not transposed, or B transposed):
// dst[p*w + r] = src[r*ld + p] for r < rows; zero for rows <= r < w.
// REQUIRES: rows <= w.
void gemm_pack_rows_f32_avx2(const float* src, int64_t ld, int64_t rows, int64_t kc, int w,
                             float* dst);

// Panel whose source lines run along the panel width (A transposed, or B not
// transposed): dst[p*w + j] = src[p*ld + j] for j < cols; zero for cols <= j < w.
// REQUIRES: cols <= w.
void gemm_pack_cols_f32_avx2(const float* src, int64_t ld, int64_t cols, int64_t kc, int w,
                             float* dst);

}  // namespace nas::ops::kernels
