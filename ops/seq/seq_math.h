// Small dense helpers shared by the sequence ops: a projection y = x W + b
// with its backward (all through ops/gemm/sgemm.h), deterministic column sums
// and [B,T,X] <-> [T,B,X] transposes. Internal to ops/seq.
#pragma once

#include <cstdint>

namespace nas::ops::seq {

// y[rows x out] = x[rows x in] * w[in x out] (+ bias[out] when bias != nullptr).
void linear_forward(const float* x, int64_t rows, int64_t in, const float* w, const float* bias,
                    int64_t out, float* y);

// Gradients of linear_forward given dy[rows x out]. Each output pointer may be
// nullptr (not needed); dx[rows x in] = dy w^T is OVERWRITTEN; dw[in x out] =
// x^T dy and dbias[out] = column sums of dy are overwritten, or added to when
// accumulate is true (steps of an unrolled recurrence).
void linear_backward(const float* x, int64_t rows, int64_t in, const float* w, int64_t out,
                     const float* dy, float* dx, float* dw, float* dbias,
                     bool accumulate = false);

// C[m x n] = op(A) op(B) + beta C on the project's arena (parallel sgemm).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same on the calling thread only (sgemm with
// parallel = false), for callers already inside a parallel_for.
void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// out[c] (=|+=) sum over rows r of x[r * ld + c], c < cols. Fixed partition
// over columns, so the result is the same on any thread count.
void column_sum(const float* x, int64_t rows, int64_t cols, int64_t ld, float* out,
                bool accumulate);

// dst[t][b][:] = src[b][t][:] for a [B,T,X] src (swap_bt(src, B, T, X, dst));
// calling it with (T, B) swapped undoes it.
void swap_bt(const float* src, int64_t b, int64_t t, int64_t x, float* dst);

}  // namespace nas::ops::seq
