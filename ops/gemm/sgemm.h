// Single-precision GEMM, row-major:
//   C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C
// op(X) is X or its transpose (the forms backward passes need). Leading
// dimensions are row strides in floats. Packed and cache-blocked, with
// AVX-512 / AVX2 micro-kernels chosen at run time; parallel on the project's
// TBB arena unless `parallel` is false (callers already inside a parallel loop).
#pragma once

#include <cstdint>

#include "ops/core/cpu_features.h"

namespace nas::ops {

enum class Trans { kNo, kYes };

struct GemmArgs {
  Trans trans_a = Trans::kNo;
  Trans trans_b = Trans::kNo;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  int64_t lda = 0;  // row stride of A as stored (k if not transposed, m if transposed)
  const float* b = nullptr;
  int64_t ldb = 0;    // row stride of B as stored (n if not transposed, k if transposed)
  float beta = 0.0f;  // beta == 0: C is written without being read (may hold NaN)
  float* c = nullptr;
  int64_t ldc = 0;
  bool parallel = true;
  // Hint: C is far larger than the caches and not read again soon. When
  // beta == 0 and k fits one k block, full tiles are then written with
  // non-temporal stores (no read-for-ownership traffic); same results.
  bool stream_c = false;
};

// REQUIRES: pointers valid for the given shapes and strides; C does not alias A or B;
// lda/ldb/ldc at least the stored row lengths. m, n or k may be 0: k == 0 or
// alpha == 0 gives C = beta * C without reading A or B (BLAS semantics).
// Deterministic: the same arguments give the same bits on any thread count
// (each C entry is accumulated by one thread in a fixed k order). No heap
// allocation in steady state: packing buffers come from thread_scratch().
// Thread-safe for distinct C.
void sgemm(const GemmArgs& args);

// sgemm with the micro-kernels of `isa` instead of cpu_features().best (for
// tests and benchmarks). REQUIRES: cpu_supports(isa).
void sgemm_isa(Isa isa, const GemmArgs& args);

// Convenience: no transposes, dense leading dimensions.
inline void sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c,
                  float beta = 0.0f) {
  GemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = k;
  g.b = b;
  g.ldb = n;
  g.c = c;
  g.ldc = n;
  g.beta = beta;
  sgemm(g);
}

// The portable triple loop, for tests: same contract as sgemm.
void sgemm_reference(const GemmArgs& args);

}  // namespace nas::ops
