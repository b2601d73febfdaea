// Covariance sums over NHWC rows (row-major [rows, k], channel contiguous):
// the per-block kernel of ops/layers/linear_output_stats.h, which derives the
// batch statistics of a 1x1 conv's output from those of its input. One file
// per ISA (cov_sums_f32_<isa>.cc) compiled from one body (cov_sums_f32_body.h)
// with that ISA's flags, chosen once at run time. All variants do the same
// IEEE operations per sum in the same order (built with -ffp-contract=off: a
// product, then an add; float partial sums over kCovSumsChunkRows rows added
// into double), so they give bit-identical results; the parity test checks it.
//
// Every kernel is sequential over the rows it is given; the caller splits the
// rows into a fixed partition and merges the per-block double sums in block
// order, which keeps results independent of the thread count.
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"

namespace nas::ops::kernels {

// Rows summed in float before the partial sums are added into double (the
// float error is that of a 128-term sum of shifted products however many rows
// there are; 32 rows measured 12% slower in L1, the flush into double and the
// per-block set-up paid four times as often).
inline constexpr int64_t kCovSumsChunkRows = 128;

// Floats of scratch a call needs for k channels.
int64_t cov_sums_scratch_floats(int64_t k);

// With v = x[r, :] - shift (k floats per row, rows contiguous):
//   s1[i]         += sum_r v[i]                 for i < k
//   s2[i * k + j] += sum_r v[i] * v[j]          for i <= j < k
// (the upper triangle; s2's entries below the diagonal are not touched).
// REQUIRES: scratch holds cov_sums_scratch_floats(k) floats; k >= 1.
using CovSumsFn = void (*)(const float* x, int64_t rows, int64_t k, const float* shift, double* s1,
                           double* s2, float* scratch);

struct CovSumsF32Kernel {
  const char* name;  // cov_sums_f32_<isa>
  Isa isa;
  CovSumsFn sums;
};

void cov_sums_f32_scalar(const float* x, int64_t rows, int64_t k, const float* shift, double* s1,
                         double* s2, float* scratch);
void cov_sums_f32_avx2(const float* x, int64_t rows, int64_t k, const float* shift, double* s1,
                       double* s2, float* scratch);
void cov_sums_f32_avx512(const float* x, int64_t rows, int64_t k, const float* shift, double* s1,
                         double* s2, float* scratch);

// Every variant built into the library, portable first. A CPU may lack some
// ISAs: check cpu_supports(kernel.isa) before calling.
std::span<const CovSumsF32Kernel> cov_sums_f32_kernels();
// The variant for `isa`. REQUIRES: one is listed for it.
const CovSumsF32Kernel& cov_sums_f32_kernel(Isa isa);

}  // namespace nas::ops::kernels
