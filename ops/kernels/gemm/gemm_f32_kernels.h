// FP32 GEMM micro-kernels: plain functions over packed panels, one file per
// tile shape and ISA (gemm_f32_<MR>x<NR>_<isa>.cc), each compiled with its own
// ISA flags. ops/gemm/sgemm.cc packs the operands and picks a kernel once from
// cpu_features(); the parity test and the benchmarks iterate gemm_f32_kernels().
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"

namespace nas::ops::kernels {

// Computes one MR x NR tile of C (row-major, row stride ldc):
//   acc[i][j] = sum_{p<k} a[p*MR + i] * b[p*ldb + j]     (p in increasing order)
//   C[i][j]   = alpha * acc[i][j] + beta * C[i][j]        for i < mr, j < nr
// `a` is an MR-row panel packed k-major (MR floats per k step), zero-padded
// past mr. `b` is an NR-column panel read k-major with row stride ldb: a packed
// panel (ldb == NR) or, for a full-width panel, B itself (ldb = B's row stride),
// which spares the packing pass when B is reused by few row panels.
// REQUIRES: 1 <= mr <= MR, 1 <= nr <= NR, k >= 0; NR readable floats in each
// of the k rows of b (lanes past nr are computed but never stored); C entries
// outside the mr x nr corner are neither read nor written; beta == 0 means C is
// not read (it may hold NaN). Every tile, full or partial, rounds identically,
// so results do not depend on how the caller partitions C.
using GemmF32Fn = void (*)(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                           int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);

struct GemmF32Kernel {
  const char* name;  // gemm_f32_<MR>x<NR>_<isa>
  Isa isa;
  int mr;
  int nr;
  GemmF32Fn fn;
  // fn, except that full tiles with beta == 0 and a 64-byte aligned C (ldc a
  // multiple of 16) are written with non-temporal stores; the caller issues a
  // store fence before C is read by another thread. Null when the kernel has
  // no such variant.
  GemmF32Fn fn_nt = nullptr;
};

void gemm_f32_4x8_scalar(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                         int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);
void gemm_f32_6x16_avx2(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                        int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);
void gemm_f32_12x32_avx512(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                           int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);
void gemm_f32_8x32_avx512(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                          int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);
void gemm_f32_12x32_avx512_nt(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                              int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);
void gemm_f32_8x32_avx512_nt(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                             int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta);

// Every kernel built into the library, portable first, then by ISA. A CPU
// may lack the ISA of some: check cpu_supports(kernel.isa) before calling.
std::span<const GemmF32Kernel> gemm_f32_kernels();

}  // namespace nas::ops::kernels
