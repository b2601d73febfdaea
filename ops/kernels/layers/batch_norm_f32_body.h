// The loops of the BatchNorm kernels, included once per ISA file
// (batch_norm_f32_<isa>.cc) and compiled with that file's flags.
//
// Layout: rows of c contiguous channels. Each loop nest walks rows outside
// and channels inside, so the inner loop is a plain unit-stride loop over
// per-channel arrays that g++ -O3 vectorises at the file's width (16 floats
// with AVX-512, 8 with AVX2) with a vector or scalar tail for c not a
// multiple of it. The activation is a template parameter so that the inner
// loops stay branch-free (selects become blends under -fno-trapping-math).
// Reductions keep per-channel float partials in `scratch` for
// kBatchNormChunkRows rows and then add them into double accumulators: the
// float error stays that of a 32-term sum however many rows there are.
// Internal linkage (anonymous namespace): each ISA file gets its own copy.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/core/status.h"
#include "ops/kernels/layers/activation_kind.h"
#include "ops/kernels/layers/batch_norm_f32_kernels.h"

namespace nas::ops::kernels {
namespace {

// The same expressions as the activation kernels (activation_f32_body.h), so
// fused and unfused runs give the same bits.
template <ActivationKind A>
inline float bn_activate(float v) {
  if constexpr (A == ActivationKind::kRelu) return std::max(v, 0.0f);
  else if constexpr (A == ActivationKind::kRelu6) return std::min(std::max(v, 0.0f), 6.0f);
  else return v;
}

// dy where the activation passes the gradient (judged from its output y).
template <ActivationKind A>
inline float bn_mask(float g, float y) {
  if constexpr (A == ActivationKind::kRelu) return y > 0.0f ? g : 0.0f;
  else if constexpr (A == ActivationKind::kRelu6) return (y > 0.0f) & (y < 6.0f) ? g : 0.0f;
  else return g;
}

// Calls fn.template operator()<A>() for the runtime kind (identity, relu, relu6).
template <typename Fn>
inline void bn_dispatch(ActivationKind act, const Fn& fn) {
  switch (act) {
    case ActivationKind::kIdentity:
      fn.template operator()<ActivationKind::kIdentity>();
      return;
    case ActivationKind::kRelu:
      fn.template operator()<ActivationKind::kRelu>();
      return;
    case ActivationKind::kRelu6:
      fn.template operator()<ActivationKind::kRelu6>();
      return;
    default:
      NAS_CHECK(false);
  }
}

inline void bn_flush(int64_t c, const float* __restrict a1, const float* __restrict a2,
                     double* __restrict s1, double* __restrict s2) {
  for (int64_t j = 0; j < c; ++j) {
    s1[j] += static_cast<double>(a1[j]);
    s2[j] += static_cast<double>(a2[j]);
  }
}

inline void batch_norm_stats_body(const float* __restrict x, int64_t rows, int64_t c,
                                  const float* __restrict shift, double* __restrict s1,
                                  double* __restrict s2, float* __restrict scratch) {
  float* __restrict a1 = scratch;
  float* __restrict a2 = scratch + c;
  for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
    const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
    std::fill(a1, a1 + 2 * c, 0.0f);
    for (int64_t r = r0; r < r1; ++r) {
      const float* __restrict xr = x + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const float v = xr[j] - shift[j];
        a1[j] += v;
        a2[j] += v * v;
      }
    }
    bn_flush(c, a1, a2, s1, s2);
  }
}

inline void batch_norm_normalize_body(const float* __restrict x, int64_t rows, int64_t c,
                                      const float* __restrict mean, const float* __restrict scale,
                                      const float* __restrict beta, ActivationKind act,
                                      float* __restrict y) {
  bn_dispatch(act, [&]<ActivationKind A>() {
    for (int64_t r = 0; r < rows; ++r) {
      const float* __restrict xr = x + r * c;
      float* __restrict yr = y + r * c;
      for (int64_t j = 0; j < c; ++j) yr[j] = bn_activate<A>((xr[j] - mean[j]) * scale[j] + beta[j]);
    }
  });
}

inline void batch_norm_grad_sums_body(const float* __restrict x, const float* __restrict dy,
                                      const float* __restrict y, int64_t rows, int64_t c,
                                      const float* __restrict mean, ActivationKind act,
                                      double* __restrict s1, double* __restrict s2,
                                      float* __restrict scratch) {
  float* __restrict a1 = scratch;
  float* __restrict a2 = scratch + c;
  bn_dispatch(act, [&]<ActivationKind A>() {
    for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
      const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
      std::fill(a1, a1 + 2 * c, 0.0f);
      for (int64_t r = r0; r < r1; ++r) {
        const float* __restrict xr = x + r * c;
        const float* __restrict gr = dy + r * c;
        const float* __restrict yr = A == ActivationKind::kIdentity ? gr : y + r * c;
        for (int64_t j = 0; j < c; ++j) {
          const float g = bn_mask<A>(gr[j], yr[j]);
          a1[j] += g;
          a2[j] += g * (xr[j] - mean[j]);
        }
      }
      bn_flush(c, a1, a2, s1, s2);
    }
  });
}

inline void batch_norm_grad_input_body(const float* __restrict x, const float* __restrict dy,
                                       const float* __restrict y, int64_t rows, int64_t c,
                                       const float* __restrict mean, const float* __restrict a,
                                       const float* __restrict b, const float* __restrict d,
                                       ActivationKind act, float* __restrict dx) {
  bn_dispatch(act, [&]<ActivationKind A>() {
    for (int64_t r = 0; r < rows; ++r) {
      const float* __restrict xr = x + r * c;
      const float* __restrict gr = dy + r * c;
      const float* __restrict yr = A == ActivationKind::kIdentity ? gr : y + r * c;
      float* __restrict dr = dx + r * c;
      for (int64_t j = 0; j < c; ++j)
        dr[j] = a[j] * bn_mask<A>(gr[j], yr[j]) + b[j] * (xr[j] - mean[j]) + d[j];
    }
  });
}

}  // namespace
}  // namespace nas::ops::kernels
