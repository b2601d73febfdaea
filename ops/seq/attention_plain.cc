// Plain scaled dot-product attention per (batch, head): S = Q K^T as one
// S x S GEMM, a row softmax over each query's visible keys, then P V.
// Backward: dP = dO V^T, dV = P^T dO, dS = P * (dP - rowsum(P * dP)),
// dQ = scale dS K, dK = scale dS^T Q.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/kernels/seq/seq_kernels.h"
#include "ops/seq/attention_core.h"
#include "ops/seq/seq_math.h"

namespace nas::ops::seq {

int64_t AttentionDims::visible_pairs() const {
  int64_t n = 0;
  for (int64_t i = 0; i < seq; ++i) n += key_end(i) - key_begin(i);
  return n;
}

void attention_plain_forward(const AttentionDims& d, const float* qkv, float* probs, float* ctx) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const SeqKernels& kern = seq_kernels();
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      float* p = probs + task * S * S;
      gemm_serial(false, true, S, S, dh, q, ld, q + D, ld, 0.0f, p, S);
      for (int64_t i = 0; i < S; ++i) {
        float* row = p + i * S;
        const int64_t lo = d.key_begin(i), hi = d.key_end(i);
        const float m = kern.max(row + lo, hi - lo);
        const float inv = 1.0f / kern.exp_scaled(row + lo, row + lo, hi - lo, scale, scale * m);
        for (int64_t j = lo; j < hi; ++j) row[j] *= inv;
        std::fill(row, row + lo, 0.0f);
        std::fill(row + hi, row + S, 0.0f);
      }
      gemm_serial(false, false, S, dh, S, p, S, q + 2 * D, ld, 0.0f, ctx + b * S * D + h * dh, D);
    }
  });
}

void attention_plain_backward(const AttentionDims& d, const float* qkv, const float* probs,
                              const float* dctx, float* dqkv) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const SeqKernels& kern = seq_kernels();
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    ScratchScope scratch;
    float* ds = scratch.alloc_floats(S * S);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      const float* k = q + D;
      const float* v = q + 2 * D;
      const float* p = probs + task * S * S;
      const float* dout = dctx + b * S * D + h * dh;
      float* dq = dqkv + b * S * ld + h * dh;
      gemm_serial(false, true, S, S, dh, dout, D, v, ld, 0.0f, ds, S);     // dP
      gemm_serial(true, false, S, dh, S, p, S, dout, D, 0.0f, dq + 2 * D, ld);  // dV
      for (int64_t i = 0; i < S; ++i) {
        // Masked entries have p = 0, so the whole row can be processed.
        const float* pr = p + i * S;
        float* r = ds + i * S;
        kern.softmax_grad(pr, r, S, scale, kern.dot(pr, r, S));
      }
      gemm_serial(false, false, S, dh, S, ds, S, k, ld, 0.0f, dq, ld);      // dQ
      gemm_serial(true, false, S, dh, S, ds, S, q, ld, 0.0f, dq + D, ld);   // dK
    }
  });
}

}  // namespace nas::ops::seq
