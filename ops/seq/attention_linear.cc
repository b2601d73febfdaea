// Linear attention with phi(x) = elu(x) + 1 (positive, so the normaliser
// phi(q).z never vanishes). Non-causal: one dh x dh state per head from two
// small GEMMs. Causal: a running state, forward in order and backward in
// reverse (the state of step i-1 is recovered by subtracting step i's outer
// product; kept in double so the subtraction loses nothing that matters).
// phi'(x) = 1 for x > 0 and exp(x) = phi(x) otherwise, i.e. min(phi(x), 1).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/seq/attention_core.h"
#include "ops/seq/seq_math.h"

namespace nas::ops::seq {
namespace {

inline float phi(float x) { return x > 0.0f ? x + 1.0f : std::exp(x); }

// dst[S x dh] (dense) = phi(src rows with stride ld).
void feature_map(const float* src, int64_t ld, int64_t S, int64_t dh, float* dst) {
  for (int64_t i = 0; i < S; ++i)
    for (int64_t c = 0; c < dh; ++c) dst[i * dh + c] = phi(src[i * ld + c]);
}

}  // namespace

void attention_linear_forward(const AttentionDims& d, const float* qkv, float* ctx) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    ScratchScope scratch;
    float* pq = scratch.alloc_floats(S * dh);
    float* pk = scratch.alloc_floats(S * dh);
    float* kv = scratch.alloc_floats(dh * dh);
    float* z = scratch.alloc_floats(dh);
    std::vector<double> st(d.causal ? dh * dh : 0), zs(d.causal ? dh : 0);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      const float* v = q + 2 * D;
      float* out = ctx + b * S * D + h * dh;
      feature_map(q, ld, S, dh, pq);
      feature_map(q + D, ld, S, dh, pk);
      if (!d.causal) {
        gemm_serial(true, false, dh, dh, S, pk, dh, v, ld, 0.0f, kv, dh);
        column_sum(pk, S, dh, dh, z, false);
        gemm_serial(false, false, S, dh, dh, pq, dh, kv, dh, 0.0f, out, D);
        for (int64_t i = 0; i < S; ++i) {
          float den = 0.0f;
          for (int64_t a = 0; a < dh; ++a) den += pq[i * dh + a] * z[a];
          for (int64_t c = 0; c < dh; ++c) out[i * D + c] /= den;
        }
        continue;
      }
      std::fill(st.begin(), st.end(), 0.0);
      std::fill(zs.begin(), zs.end(), 0.0);
      for (int64_t i = 0; i < S; ++i) {
        const float* ki = pk + i * dh;
        const float* vi = v + i * ld;
        const float* qi = pq + i * dh;
        double den = 0.0;
        for (int64_t a = 0; a < dh; ++a) {
          zs[a] += ki[a];
          for (int64_t c = 0; c < dh; ++c) st[a * dh + c] += double(ki[a]) * vi[c];
          den += double(qi[a]) * zs[a];
        }
        for (int64_t c = 0; c < dh; ++c) {
          double num = 0.0;
          for (int64_t a = 0; a < dh; ++a) num += double(qi[a]) * st[a * dh + c];
          out[i * D + c] = static_cast<float>(num / den);
        }
      }
    }
  });
}

void attention_linear_backward(const AttentionDims& d, const float* qkv, const float* dctx,
                               float* dqkv) {
  const int64_t S = d.seq, D = d.d_model, dh = d.head_dim(), ld = 3 * D;
  parallel_for(d.batch * d.heads, 1, [&](int64_t t0, int64_t t1) {
    ScratchScope scratch;
    float* pq = scratch.alloc_floats(S * dh);
    float* pk = scratch.alloc_floats(S * dh);
    float* dnum = scratch.alloc_floats(S * dh);
    float* dpq = scratch.alloc_floats(S * dh);
    float* dpk = scratch.alloc_floats(S * dh);
    float* kv = scratch.alloc_floats(dh * dh);
    float* dkv = scratch.alloc_floats(dh * dh);
    float* z = scratch.alloc_floats(dh);
    float* dz = scratch.alloc_floats(dh);
    float* dden = scratch.alloc_floats(S);
    std::vector<double> st(d.causal ? dh * dh : 0), zs(d.causal ? dh : 0);
    std::vector<double> g(d.causal ? dh * dh : 0), gz(d.causal ? dh : 0), num(dh);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t b = task / d.heads, h = task % d.heads;
      const float* q = qkv + b * S * ld + h * dh;
      const float* k = q + D;
      const float* v = q + 2 * D;
      const float* dout = dctx + b * S * D + h * dh;
      float* dq = dqkv + b * S * ld + h * dh;
      float* dk = dq + D;
      float* dv = dq + 2 * D;
      feature_map(q, ld, S, dh, pq);
      feature_map(k, ld, S, dh, pk);
      if (!d.causal) {
        gemm_serial(true, false, dh, dh, S, pk, dh, v, ld, 0.0f, kv, dh);
        column_sum(pk, S, dh, dh, z, false);
        // dnum first holds num = phi(q) KV, then the gradient of it.
        gemm_serial(false, false, S, dh, dh, pq, dh, kv, dh, 0.0f, dnum, dh);
        for (int64_t i = 0; i < S; ++i) {
          float den = 0.0f;
          for (int64_t a = 0; a < dh; ++a) den += pq[i * dh + a] * z[a];
          float go = 0.0f;  // dO_i . O_i
          for (int64_t c = 0; c < dh; ++c) go += dout[i * D + c] * dnum[i * dh + c] / den;
          for (int64_t c = 0; c < dh; ++c) dnum[i * dh + c] = dout[i * D + c] / den;
          dden[i] = -go / den;
        }
        gemm_serial(false, true, S, dh, dh, dnum, dh, kv, dh, 0.0f, dpq, dh);
        gemm_serial(true, false, dh, dh, S, pq, dh, dnum, dh, 0.0f, dkv, dh);
        std::fill(dz, dz + dh, 0.0f);
        for (int64_t i = 0; i < S; ++i)
          for (int64_t a = 0; a < dh; ++a) {
            dpq[i * dh + a] += dden[i] * z[a];
            dz[a] += dden[i] * pq[i * dh + a];
          }
        gemm_serial(false, true, S, dh, dh, v, ld, dkv, dh, 0.0f, dpk, dh);
        for (int64_t i = 0; i < S; ++i)
          for (int64_t a = 0; a < dh; ++a) dpk[i * dh + a] += dz[a];
        gemm_serial(false, false, S, dh, dh, pk, dh, dkv, dh, 0.0f, dv, ld);
      } else {
        std::fill(st.begin(), st.end(), 0.0);
        std::fill(zs.begin(), zs.end(), 0.0);
        for (int64_t i = 0; i < S; ++i)
          for (int64_t a = 0; a < dh; ++a) {
            zs[a] += pk[i * dh + a];
            for (int64_t c = 0; c < dh; ++c) st[a * dh + c] += double(pk[i * dh + a]) * v[i * ld + c];
          }
        std::fill(g.begin(), g.end(), 0.0);
        std::fill(gz.begin(), gz.end(), 0.0);
        for (int64_t i = S - 1; i >= 0; --i) {
          const float* qi = pq + i * dh;
          const float* ki = pk + i * dh;
          const float* vi = v + i * ld;
          const float* doi = dout + i * D;
          double den = 0.0;
          for (int64_t a = 0; a < dh; ++a) den += double(qi[a]) * zs[a];
          double go = 0.0;
          for (int64_t c = 0; c < dh; ++c) {
            double nm = 0.0;
            for (int64_t a = 0; a < dh; ++a) nm += double(qi[a]) * st[a * dh + c];
            num[c] = doi[c] / den;  // dnum
            go += doi[c] * nm / den;
          }
          const double ddn = -go / den;
          for (int64_t a = 0; a < dh; ++a) {
            double acc = ddn * zs[a];
            for (int64_t c = 0; c < dh; ++c) acc += st[a * dh + c] * num[c];
            dpq[i * dh + a] = static_cast<float>(acc);
            for (int64_t c = 0; c < dh; ++c) g[a * dh + c] += double(qi[a]) * num[c];
            gz[a] += ddn * qi[a];
          }
          for (int64_t a = 0; a < dh; ++a) {
            double acc = gz[a];
            for (int64_t c = 0; c < dh; ++c) acc += g[a * dh + c] * vi[c];
            dpk[i * dh + a] = static_cast<float>(acc);
          }
          for (int64_t c = 0; c < dh; ++c) {
            double acc = 0.0;
            for (int64_t a = 0; a < dh; ++a) acc += double(ki[a]) * g[a * dh + c];
            dv[i * ld + c] = static_cast<float>(acc);
          }
          for (int64_t a = 0; a < dh; ++a) {
            zs[a] -= ki[a];
            for (int64_t c = 0; c < dh; ++c) st[a * dh + c] -= double(ki[a]) * vi[c];
          }
        }
      }
      for (int64_t i = 0; i < S; ++i)
        for (int64_t c = 0; c < dh; ++c) {
          dq[i * ld + c] = dpq[i * dh + c] * std::min(pq[i * dh + c], 1.0f);
          dk[i * ld + c] = dpk[i * dh + c] * std::min(pk[i * dh + c], 1.0f);
        }
    }
  });
}

}  // namespace nas::ops::seq
