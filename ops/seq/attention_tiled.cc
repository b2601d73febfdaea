// Tiled attention with an online softmax (Dao et al., FlashAttention, 2022),
// per (batch, head). Forward: for a tile of kBr queries, walk the key tiles
// the mask lets it see, keep the running row max m and normaliser l, rescale
// the output accumulator by exp(m_old - m_new) and add P V. Saves only the
// row log-sum-exp. Backward: for each key tile, recompute P = exp(scale S -
// lse) for the query tiles that see it, accumulate dK and dV for that tile in
// scratch and add dQ in place; D_i = rowsum(dO_i * O_i) (drow, computed by
// the caller) replaces the rowsum of P * dP. No S x S buffer anywhere; scratch per thread is
// attention_tiled_scratch_floats().
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/kernels/seq/seq_kernels.h"
#include "ops/seq/attention_core.h"
#include "ops/seq/seq_math.h"

namespace nas::ops::seq {
namespace {
constexpr int64_t kBr = 64;  // query rows per tile
constexpr int64_t kBc = 64;  // key rows per tile
}  // namespace

int64_t attention_tiled_scratch_floats(const AttentionDims& d, bool backward) {
  const int64_t dh = d.head_dim();
  // Each alloc is rounded up to 16 floats (64 bytes) by the Workspace.
  auto r = [](int64_t n) { return (n + 15) / 16 * 16; };
  if (!backward) return r(kBr * kBc) + r(kBr * dh) + 2 * r(kBr);
  return 2 * r(kBr * kBc) + 2 * r(kBc * dh);
}

int64_t attention_tiled_score_pairs(const AttentionDims& d) {
  int64_t pairs = 0;
  for (int64_t i0 = 0; i0 < d.seq; i0 += kBr) {
    const int64_t rows = std::min(kBr, d.seq - i0);
    pairs += rows * (d.key_end(i0 + rows - 1) - d.key_begin(i0));
  }
  return pairs;
}

void attention_tiled_forward(const AttentionDims& d, const float* qkv, float* ctx, float* lse) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const SeqKernels& kern = seq_kernels();
  const float neg_inf = -std::numeric_limits<float>::infinity();
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    ScratchScope scratch;
    float* s = scratch.alloc_floats(kBr * kBc);
    float* o = scratch.alloc_floats(kBr * dh);
    float* m = scratch.alloc_floats(kBr);
    float* l = scratch.alloc_floats(kBr);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      const float* k = q + D;
      const float* v = q + 2 * D;
      for (int64_t i0 = 0; i0 < S; i0 += kBr) {
        const int64_t rows = std::min(kBr, S - i0);
        std::fill(m, m + rows, neg_inf);
        std::fill(l, l + rows, 0.0f);
        std::fill(o, o + rows * dh, 0.0f);
        const int64_t klo = d.key_begin(i0), khi = d.key_end(i0 + rows - 1);
        for (int64_t j0 = klo; j0 < khi; j0 += kBc) {
          const int64_t cols = std::min(kBc, khi - j0);
          gemm_serial(false, true, rows, cols, dh, q + i0 * ld, ld, k + j0 * ld, ld, 0.0f, s, kBc);
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t i = i0 + r;
            float* row = s + r * kBc;
            const int64_t a = std::max(d.key_begin(i), j0) - j0;
            const int64_t e = std::min(d.key_end(i), j0 + cols) - j0;
            if (a >= e) {
              std::fill(row, row + cols, 0.0f);
              continue;
            }
            const float m_new = std::max(m[r], scale * kern.max(row + a, e - a));
            const float sum = kern.exp_scaled(row + a, row + a, e - a, scale, m_new);
            std::fill(row, row + a, 0.0f);
            std::fill(row + e, row + cols, 0.0f);
            const float alpha = std::exp(m[r] - m_new);  // 0 on the first visible tile
            if (alpha != 1.0f) {
              float* orow = o + r * dh;
              for (int64_t c = 0; c < dh; ++c) orow[c] *= alpha;
            }
            l[r] = l[r] * alpha + sum;
            m[r] = m_new;
          }
          gemm_serial(false, false, rows, dh, cols, s, kBc, v + j0 * ld, ld, 1.0f, o, dh);
        }
        float* out = ctx + (b * S + i0) * D + h * dh;
        float* lse_t = lse + task * S + i0;
        for (int64_t r = 0; r < rows; ++r) {
          const float inv = 1.0f / l[r];
          for (int64_t c = 0; c < dh; ++c) out[r * D + c] = o[r * dh + c] * inv;
          lse_t[r] = m[r] + std::log(l[r]);
        }
      }
    }
  });
}

void attention_tiled_backward(const AttentionDims& d, const float* qkv, const float* drow_all,
                              const float* lse, const float* dctx, float* dqkv) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  const SeqKernels& kern = seq_kernels();
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    ScratchScope scratch;
    float* p = scratch.alloc_floats(kBr * kBc);
    float* dp = scratch.alloc_floats(kBr * kBc);
    float* dk_acc = scratch.alloc_floats(kBc * dh);
    float* dv_acc = scratch.alloc_floats(kBc * dh);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      const float* k = q + D;
      const float* v = q + 2 * D;
      const float* drow = drow_all + task * S;
      const float* dout = dctx + b * S * D + h * dh;
      const float* lse_t = lse + task * S;
      float* dq = dqkv + b * S * ld + h * dh;
      float* dk = dq + D;
      float* dv = dq + 2 * D;
      for (int64_t i = 0; i < S; ++i) std::fill(dq + i * ld, dq + i * ld + dh, 0.0f);
      for (int64_t j0 = 0; j0 < S; j0 += kBc) {
        const int64_t cols = std::min(kBc, S - j0);
        std::fill(dk_acc, dk_acc + cols * dh, 0.0f);
        std::fill(dv_acc, dv_acc + cols * dh, 0.0f);
        const int64_t qlo = d.query_begin(j0), qhi = d.query_end(j0 + cols - 1);
        for (int64_t i0 = qlo; i0 < qhi; i0 += kBr) {
          const int64_t rows = std::min(kBr, qhi - i0);
          gemm_serial(false, true, rows, cols, dh, q + i0 * ld, ld, k + j0 * ld, ld, 0.0f, p, kBc);
          gemm_serial(false, true, rows, cols, dh, dout + i0 * D, D, v + j0 * ld, ld, 0.0f, dp,
                      kBc);
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t i = i0 + r;
            float* prow = p + r * kBc;
            float* dsrow = dp + r * kBc;
            const int64_t a = std::clamp(d.key_begin(i) - j0, int64_t{0}, cols);
            const int64_t e = std::clamp(d.key_end(i) - j0, a, cols);
            kern.exp_scaled(prow + a, prow + a, e - a, scale, lse_t[i]);
            std::fill(prow, prow + a, 0.0f);
            std::fill(prow + e, prow + cols, 0.0f);
            kern.softmax_grad(prow, dsrow, cols, scale, drow[i]);
          }
          gemm_serial(true, false, cols, dh, rows, p, kBc, dout + i0 * D, D, 1.0f, dv_acc, dh);
          gemm_serial(false, false, rows, dh, cols, dp, kBc, k + j0 * ld, ld, 1.0f, dq + i0 * ld,
                      ld);
          gemm_serial(true, false, cols, dh, rows, dp, kBc, q + i0 * ld, ld, 1.0f, dk_acc, dh);
        }
        for (int64_t c = 0; c < cols; ++c) {
          std::memcpy(dk + (j0 + c) * ld, dk_acc + c * dh, dh * sizeof(float));
          std::memcpy(dv + (j0 + c) * ld, dv_acc + c * dh, dh * sizeof(float));
        }
      }
    }
  });
}

}  // namespace nas::ops::seq
