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

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

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

// The per-row loops below take restrict PARAMETERS (block-scope restrict
// locals are not enough for g++), so they vectorise without a runtime alias
// check and its scalar fallback.
inline void bn_stats_row(const float* __restrict xr, int64_t c, const float* __restrict shift,
                         float* __restrict a1, float* __restrict a2) {
  for (int64_t j = 0; j < c; ++j) {
    const float v = xr[j] - shift[j];
    a1[j] += v;
    a2[j] += v * v;
  }
}

inline void batch_norm_stats_body(const float* x, int64_t rows, int64_t c, const float* shift,
                                  double* __restrict s1, double* __restrict s2,
                                  float* __restrict scratch) {
  float* a1 = scratch;
  float* a2 = scratch + c;
  for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
    const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
    std::fill(a1, a1 + 2 * c, 0.0f);
    for (int64_t r = r0; r < r1; ++r) bn_stats_row(x + r * c, c, shift, a1, a2);
    bn_flush(c, a1, a2, s1, s2);
  }
}

// The *_cached variants, for rows already in cache (a block that a producer
// just wrote, see RowBlockObserver): W channels of every row of a chunk are
// summed in local arrays that the compiler keeps in registers (W = 32: 2
// AVX-512 or 4 AVX2 vectors per sum). The row loop above sums into a1/a2 in
// memory and is bound by a store per vector per row in cache (3x slower in
// L2 at C = 96), but from memory the strips are slower (each strip revisits
// the chunk's rows: as many streams as rows for the prefetchers), so BN's own
// passes keep the row loop. Each channel's float sum still runs over the
// rows in order: the bits are those of the row loop.
inline constexpr int64_t kBnStrip = 32;


template <int64_t W>
inline void bn_stats_strip(const float* __restrict x, int64_t rows, int64_t c,
                           const float* __restrict shift, float* __restrict a1,
                           float* __restrict a2) {
  float t1[W] = {}, t2[W] = {};
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    for (int64_t k = 0; k < W; ++k) {
      const float v = xr[k] - shift[k];
      t1[k] += v;
      t2[k] += v * v;
    }
  }
  for (int64_t k = 0; k < W; ++k) {
    a1[k] = t1[k];
    a2[k] = t2[k];
  }
}

inline void batch_norm_stats_cached_body(const float* x, int64_t rows, int64_t c, const float* shift,
                                  double* __restrict s1, double* __restrict s2,
                                  float* __restrict scratch) {
  float* a1 = scratch;
  float* a2 = scratch + c;
  for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
    const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
    const float* xc = x + r0 * c;
    int64_t j = 0;
    for (; j + kBnStrip <= c; j += kBnStrip)
      bn_stats_strip<kBnStrip>(xc + j, r1 - r0, c, shift + j, a1 + j, a2 + j);
    for (; j + kBnStrip / 2 <= c; j += kBnStrip / 2)
      bn_stats_strip<kBnStrip / 2>(xc + j, r1 - r0, c, shift + j, a1 + j, a2 + j);
    for (; j + kBnStrip / 4 <= c; j += kBnStrip / 4)
      bn_stats_strip<kBnStrip / 4>(xc + j, r1 - r0, c, shift + j, a1 + j, a2 + j);
    if (j < c) {
      std::fill(a1 + j, a1 + c, 0.0f);
      std::fill(a2 + j, a2 + c, 0.0f);
      for (int64_t r = r0; r < r1; ++r)
        bn_stats_row(x + r * c + j, c - j, shift + j, a1 + j, a2 + j);
    }
    bn_flush(c, a1, a2, s1, s2);
  }
}

template <ActivationKind A>
inline void bn_normalize_row(const float* __restrict xr, int64_t c, const float* __restrict mean,
                             const float* __restrict scale, const float* __restrict beta,
                             float* __restrict yr) {
  for (int64_t j = 0; j < c; ++j) yr[j] = bn_activate<A>((xr[j] - mean[j]) * scale[j] + beta[j]);
}

// Streaming (non-temporal) stores of one vector: the line goes to memory
// without being read first (no write-allocate) and without evicting the
// caches. kStreamWidth floats, to an address aligned to that many floats;
// 0 when the target has none. Ordered by bn_stream_fence().
#if defined(__AVX512F__)
inline constexpr int64_t kStreamWidth = 16;
inline void bn_stream_store(float* dst, const float* src) {
  _mm512_stream_ps(dst, _mm512_load_ps(src));
}
#elif defined(__AVX__)
inline constexpr int64_t kStreamWidth = 8;
inline void bn_stream_store(float* dst, const float* src) {
  _mm256_stream_ps(dst, _mm256_load_ps(src));
}
#elif defined(__SSE2__)
inline constexpr int64_t kStreamWidth = 4;
inline void bn_stream_store(float* dst, const float* src) { _mm_stream_ps(dst, _mm_load_ps(src)); }
#else
inline constexpr int64_t kStreamWidth = 0;
inline void bn_stream_store(float*, const float*) {}
#endif

// Makes this thread's streaming stores globally visible (they are weakly
// ordered) before the kernel returns.
inline void bn_stream_fence() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

// bn_normalize_row with streaming stores for every whole aligned vector of
// the row (plain stores for the unaligned head and the tail). Each vector is
// computed by the same expression into an aligned temporary that the
// compiler keeps in a register, then streamed: the plain path's bits, with
// the loads of x and the stores of y interleaved.
template <ActivationKind A>
inline void bn_normalize_row_streaming(const float* __restrict xr, int64_t c,
                                       const float* __restrict mean,
                                       const float* __restrict scale,
                                       const float* __restrict beta, float* __restrict yr) {
  int64_t j = 0;
  if constexpr (kStreamWidth > 0) {
    constexpr uintptr_t kAlign = kStreamWidth * sizeof(float);
    while (j < c && reinterpret_cast<uintptr_t>(yr + j) % kAlign != 0) {
      yr[j] = bn_activate<A>((xr[j] - mean[j]) * scale[j] + beta[j]);
      ++j;
    }
    for (; j + kStreamWidth <= c; j += kStreamWidth) {
      alignas(64) float v[kStreamWidth];
      for (int64_t k = 0; k < kStreamWidth; ++k)
        v[k] = bn_activate<A>((xr[j + k] - mean[j + k]) * scale[j + k] + beta[j + k]);
      bn_stream_store(yr + j, v);
    }
  }
  for (; j < c; ++j) yr[j] = bn_activate<A>((xr[j] - mean[j]) * scale[j] + beta[j]);
}

inline void batch_norm_normalize_body(const float* x, int64_t rows, int64_t c, const float* mean,
                                      const float* scale, const float* beta, ActivationKind act,
                                      bool streaming, float* y) {
  bn_dispatch(act, [&]<ActivationKind A>() {
    if (!streaming) {
      for (int64_t r = 0; r < rows; ++r)
        bn_normalize_row<A>(x + r * c, c, mean, scale, beta, y + r * c);
      return;
    }
    for (int64_t r = 0; r < rows; ++r)
      bn_normalize_row_streaming<A>(x + r * c, c, mean, scale, beta, y + r * c);
    bn_stream_fence();
  });
}

// dy where the activation passes the gradient, judged from its input z =
// (x - mean) * scale + beta recomputed from x with the forward's exact
// expression and coefficients (so z has the bits the forward computed): the
// same expression as the activation's own backward (activation_f32_body.h,
// which masks with its input), so fused and unfused give the same bits.
template <ActivationKind A>
inline float bn_mask_recomputed(float g, float x, float mean, const float* __restrict scale,
                                const float* __restrict beta, int64_t j) {
  // scale and beta are read only with an activation (null without one).
  if constexpr (A == ActivationKind::kIdentity) {
    return g;
  } else {
    const float z = (x - mean) * scale[j] + beta[j];
    if constexpr (A == ActivationKind::kRelu) return z > 0.0f ? g : 0.0f;
    else return (z > 0.0f) & (z < 6.0f) ? g : 0.0f;
  }
}

// One row of the two gradient sums.
template <ActivationKind A>
inline void bn_grad_sums_row(const float* __restrict xr, const float* __restrict gr, int64_t c,
                             const float* __restrict mean, const float* __restrict scale,
                             const float* __restrict beta, float* __restrict a1,
                             float* __restrict a2) {
  for (int64_t j = 0; j < c; ++j) {
    const float g = bn_mask_recomputed<A>(gr[j], xr[j], mean[j], scale, beta, j);
    a1[j] += g;
    a2[j] += g * (xr[j] - mean[j]);
  }
}

inline void batch_norm_grad_sums_body(const float* __restrict x, const float* __restrict dy,
                                      int64_t rows, int64_t c, const float* __restrict mean,
                                      const float* __restrict scale,
                                      const float* __restrict beta, ActivationKind act,
                                      double* __restrict s1, double* __restrict s2,
                                      float* __restrict scratch) {
  float* a1 = scratch;
  float* a2 = scratch + c;
  bn_dispatch(act, [&]<ActivationKind A>() {
    for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
      const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
      std::fill(a1, a1 + 2 * c, 0.0f);
      for (int64_t r = r0; r < r1; ++r)
        bn_grad_sums_row<A>(x + r * c, dy + r * c, c, mean, scale, beta, a1, a2);
      bn_flush(c, a1, a2, s1, s2);
    }
  });
}

// W channels of a chunk's rows, sums in registers (see bn_stats_strip).
// scale and beta point at the strip's channels (or are null without an
// activation).
template <ActivationKind A, int64_t W>
inline void bn_grad_sums_strip(const float* __restrict x, const float* __restrict dy,
                               int64_t rows, int64_t c, const float* __restrict mean,
                               const float* __restrict scale, const float* __restrict beta,
                               float* __restrict a1, float* __restrict a2) {
  float t1[W] = {}, t2[W] = {};
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    for (int64_t k = 0; k < W; ++k) {
      const float g = bn_mask_recomputed<A>(gr[k], xr[k], mean[k], scale, beta, k);
      t1[k] += g;
      t2[k] += g * (xr[k] - mean[k]);
    }
  }
  for (int64_t k = 0; k < W; ++k) {
    a1[k] = t1[k];
    a2[k] = t2[k];
  }
}

inline void batch_norm_grad_sums_cached_body(const float* __restrict x, const float* __restrict dy,
                                      int64_t rows, int64_t c, const float* __restrict mean,
                                      const float* __restrict scale,
                                      const float* __restrict beta, ActivationKind act,
                                      double* __restrict s1, double* __restrict s2,
                                      float* __restrict scratch) {
  float* a1 = scratch;
  float* a2 = scratch + c;
  bn_dispatch(act, [&]<ActivationKind A>() {
    // Offsets into scale / beta only with an activation (null without one).
    auto at = [](const float* v, int64_t j) {
      return A == ActivationKind::kIdentity ? v : v + j;
    };
    for (int64_t r0 = 0; r0 < rows; r0 += kBatchNormChunkRows) {
      const int64_t r1 = std::min(rows, r0 + kBatchNormChunkRows);
      const float* xc = x + r0 * c;
      const float* gc = dy + r0 * c;
      int64_t j = 0;
      for (; j + kBnStrip <= c; j += kBnStrip)
        bn_grad_sums_strip<A, kBnStrip>(xc + j, gc + j, r1 - r0, c, mean + j, at(scale, j),
                                        at(beta, j), a1 + j, a2 + j);
      for (; j + kBnStrip / 2 <= c; j += kBnStrip / 2)
        bn_grad_sums_strip<A, kBnStrip / 2>(xc + j, gc + j, r1 - r0, c, mean + j, at(scale, j),
                                            at(beta, j), a1 + j, a2 + j);
      if (j < c) {
        std::fill(a1 + j, a1 + c, 0.0f);
        std::fill(a2 + j, a2 + c, 0.0f);
        for (int64_t r = r0; r < r1; ++r)
          bn_grad_sums_row<A>(x + r * c + j, dy + r * c + j, c - j, mean + j, at(scale, j),
                              at(beta, j), a1 + j, a2 + j);
      }
      bn_flush(c, a1, a2, s1, s2);
    }
  });
}

// One row of dx = a*g + b*(x - mean) + d, out of place (dr overlaps nothing).
template <ActivationKind A>
inline void bn_grad_input_row(const float* __restrict xr, const float* __restrict gr, int64_t c,
                              const float* __restrict mean, const float* __restrict scale,
                              const float* __restrict beta, const float* __restrict a,
                              const float* __restrict b, const float* __restrict d,
                              float* __restrict dr) {
  for (int64_t j = 0; j < c; ++j) {
    const float g = bn_mask_recomputed<A>(gr[j], xr[j], mean[j], scale, beta, j);
    dr[j] = a[j] * g + b[j] * (xr[j] - mean[j]) + d[j];
  }
}

// The same in place: g is read and overwritten through one pointer.
template <ActivationKind A>
inline void bn_grad_input_row_in_place(const float* __restrict xr, float* __restrict g_dx,
                                       int64_t c, const float* __restrict mean,
                                       const float* __restrict scale,
                                       const float* __restrict beta, const float* __restrict a,
                                       const float* __restrict b, const float* __restrict d) {
  for (int64_t j = 0; j < c; ++j) {
    const float g = bn_mask_recomputed<A>(g_dx[j], xr[j], mean[j], scale, beta, j);
    g_dx[j] = a[j] * g + b[j] * (xr[j] - mean[j]) + d[j];
  }
}

inline void batch_norm_grad_input_body(const float* x, const float* dy, int64_t rows, int64_t c,
                                       const float* mean, const float* scale, const float* beta,
                                       const float* a, const float* b, const float* d,
                                       ActivationKind act, float* dx) {
  bn_dispatch(act, [&]<ActivationKind A>() {
    if (dx == dy) {
      for (int64_t r = 0; r < rows; ++r)
        bn_grad_input_row_in_place<A>(x + r * c, dx + r * c, c, mean, scale, beta, a, b, d);
    } else {
      for (int64_t r = 0; r < rows; ++r)
        bn_grad_input_row<A>(x + r * c, dy + r * c, c, mean, scale, beta, a, b, d, dx + r * c);
    }
  });
}

}  // namespace
}  // namespace nas::ops::kernels
