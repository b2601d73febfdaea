// Shared body of the conv micro-kernels; included once per ISA by
// conv_f32_<isa>.cc after defining NAS_CONV_NS (namespace), NAS_CONV_V (floats
// per vector) and NAS_CONV_MR (tile rows). Each includer is compiled with its
// own ISA flags and -ffp-contract=fast, so GCC vector extensions become zmm /
// ymm / xmm code and a*b+c becomes FMA where the ISA has it.
//
// Tile kernel: MR output rows x NR = 2 vectors of columns held in registers
// (AVX-512: 12 x 32 = 24 zmm accumulators; AVX2: 6 x 16 = 12 ymm); each k step
// loads two B vectors and broadcasts one A value per row. The depthwise
// kernels (conv_dw_f32_body.h, included below) keep up to kDwPix output
// pixels x one channel vector in registers.
// No header guard: included once per ISA translation unit.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "ops/core/workspace.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::kernels::NAS_CONV_NS {
namespace {

constexpr int kV = NAS_CONV_V;
constexpr int kMr = NAS_CONV_MR;
constexpr int kNv = 2;
constexpr int kNr = kNv * kV;
constexpr int64_t kPrefetchK = 32;  // k steps ahead for A prefetches (tile_m)
constexpr int kDwPix = kV >= 16 ? 8 : 4;  // output pixels per depthwise register tile

typedef float vf __attribute__((vector_size(kV * 4)));
typedef float vfu __attribute__((vector_size(kV * 4), aligned(4), may_alias));

inline vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
inline void store(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }
inline vf splat(float s) { return vf{} + s; }
// The first n floats at p (1 <= n <= kV), zero in the other lanes; reads
// nothing past p + n (masked loads do not fault on masked-off lanes).
inline vf load_partial(const float* p, int64_t n) {
#if NAS_CONV_V == 16 && defined(__AVX512F__)
  return reinterpret_cast<vf>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p));
#elif NAS_CONV_V == 8 && defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return reinterpret_cast<vf>(
      _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane)));
#else
  vf v{};
  std::memcpy(&v, p, sizeof(float) * n);
  return v;
#endif
}

// Non-temporal store of one vector (REQUIRES: p aligned to sizeof(vf)), and
// the fence that orders such stores before the data is handed to other threads.
inline void stream_store(float* p, vf v) {
#if NAS_CONV_V == 16 && defined(__AVX512F__)
  _mm512_stream_ps(p, reinterpret_cast<__m512>(v));
#elif NAS_CONV_V == 8 && defined(__AVX__)
  _mm256_stream_ps(p, reinterpret_cast<__m256>(v));
#elif NAS_CONV_V == 4 && defined(__SSE__)
  _mm_stream_ps(p, reinterpret_cast<__m128>(v));
#else
  store(p, v);
#endif
}
inline void stream_fence() {
#if defined(__SSE__)
  _mm_sfence();
#endif
}

// NV = vectors of columns computed (2, or 1 when n <= kV: a narrow last
// block of output channels costs half). The epilogue indexes acc only with
// unrolled constants, so the accumulators stay in registers.
// kRows: rows go through t.c_rows (a template switch, so the common path
// carries no per-row test).
// kContigA: row i of A is a_rows[0] + i (one pointer, rows folded into the
// broadcasts' addresses: the weight gradient of a 1x1 conv, where the rows are
// adjacent channels of a pixel; M separate row pointers there cost registers).
template <int M, bool kFullB, int NV, bool kRows, bool kContigA = false>
void tile_m(const ConvTileArgs& t) {
  vf acc[M][NV];
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = vf{};
  const int64_t ak = t.a_stride_k, bk = t.b_stride_k;
  // Partial B rows (only n floats readable): whole vectors, then one masked.
  const int64_t b_whole = t.n / kV, b_rem = t.n - b_whole * kV;
  const float* a[kContigA ? 1 : M];
  if constexpr (kContigA) {
    a[0] = t.a_rows[0];
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) a[i] = t.a_rows[i];
  }
  if (!t.stream) {
    // c is written (or read) only at the end; start its lines on their way
    // now, so short k loops (1x1 convs, few input channels) do not stall on them.
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) __builtin_prefetch((kRows ? t.c_rows[i] : t.c + i * t.c_stride_m) + j * kV, 1, 3);
  }
  int pf_row = 0;
  const bool prefetch_a = t.k >= 2 * kPrefetchK;
  int64_t pf_lines = t.prefetch ? t.prefetch_lines : 0;
  for (int64_t s = 0; s < t.segments; ++s) {
    const int64_t ao = t.a_seg ? t.a_seg[s] : 0;
    const float* b = t.b + (t.b_seg ? t.b_seg[s] : 0);
    // One k step; the loop runs twice so that only the first one (the
    // prefetch range) carries the prefetch.
    auto step = [&](int64_t p) __attribute__((always_inline)) {
      vf bv[NV];
      if constexpr (kFullB) {
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) bv[j] = load(b + j * kV);
      } else {
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j)
          bv[j] = j < b_whole ? load(b + j * kV)
                  : j == b_whole && b_rem != 0 ? load_partial(b + j * kV, b_rem)
                                                : vf{};
      }
      const int64_t off = ao + p * ak;
      // The M rows of A are M separate streams (pixels of an image), too many
      // for the hardware prefetchers: on long k loops, fetch one row
      // kPrefetchK steps ahead per step, so each row is covered every M steps.
      if constexpr (kContigA) {
        const float* ar = a[0] + off;
        if (prefetch_a) __builtin_prefetch(ar + kPrefetchK * ak, 0, 3);
#pragma GCC unroll 16
        for (int i = 0; i < M; ++i) {
          const float av = ar[i];
#pragma GCC unroll 4
          for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j];
        }
      } else {
        if (prefetch_a) {
          __builtin_prefetch(a[pf_row] + off + kPrefetchK * ak, 0, 3);
          if (++pf_row == M) pf_row = 0;
        }
#pragma GCC unroll 16
        for (int i = 0; i < M; ++i) {
          const float av = a[i][off];
#pragma GCC unroll 4
          for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j];
        }
      }
      b += bk;
    };
    const int64_t pf_end = std::min(t.k, pf_lines);
    int64_t p = 0;
    for (; p < pf_end; ++p) {
      __builtin_prefetch(t.prefetch + p * 16, 0, 2);
      step(p);
    }
    for (; p < t.k; ++p) step(p);
    pf_lines = 0;  // first segment only
  }
  // Whole vectors go straight to c (non-temporal when asked and aligned; the
  // caller fences), a partial last vector through a buffer.
  const int64_t full = t.n / kV, rem = t.n - full * kV;
  const bool nt = !kRows && t.stream && !t.accumulate &&
                  ((reinterpret_cast<uintptr_t>(t.c) | (t.c_stride_m * sizeof(float))) % sizeof(vf)) == 0;
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) {
    float* c = kRows ? t.c_rows[i] : t.c + i * t.c_stride_m;
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      if (j < full) {
        if (nt) {
          stream_store(c + j * kV, acc[i][j]);
        } else {
          vf v = acc[i][j];
          if (t.accumulate) v += load(c + j * kV);
          store(c + j * kV, v);
        }
      } else if (j == full && rem != 0) {
        alignas(64) float tmp[kV];
        store(tmp, acc[i][j]);
        for (int64_t r = 0; r < rem; ++r) c[j * kV + r] = t.accumulate ? c[j * kV + r] + tmp[r] : tmp[r];
      }
    }
  }
}

// Tiles whose width is NF whole vectors plus one half vector (n = 24 or 8
// with 16-float vectors): the half vector's FMAs cost half on cores that split
// a full vector into two halves (Zen 4), where a padded full vector would
// waste a quarter (n = 24) or half (n = 8) of the multiplies. Every lane of B
// is used, so B rows are read whole; each lane rounds as in tile_m.
typedef float vh __attribute__((vector_size(kV * 2)));
typedef float vhu __attribute__((vector_size(kV * 2), aligned(4), may_alias));
inline vh load_h(const float* p) { return *reinterpret_cast<const vhu*>(p); }
inline void store_h(float* p, vh v) { *reinterpret_cast<vhu*>(p) = v; }

template <int M, int NF, bool kRows, bool kContigA = false>
void tile_half_m(const ConvTileArgs& t) {
  vf acc[M][NF > 0 ? NF : 1];
  vh acch[M];
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) {
#pragma GCC unroll 2
    for (int j = 0; j < NF; ++j) acc[i][j] = vf{};
    acch[i] = vh{};
  }
  const int64_t ak = t.a_stride_k, bk = t.b_stride_k;
  const float* a[kContigA ? 1 : M];
  if constexpr (kContigA) {
    a[0] = t.a_rows[0];
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) a[i] = t.a_rows[i];
  }
  if (!t.stream) {
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i)
      __builtin_prefetch(kRows ? t.c_rows[i] : t.c + i * t.c_stride_m, 1, 3);
  }
  int pf_row = 0;
  const bool prefetch_a = t.k >= 2 * kPrefetchK;
  int64_t pf_lines = t.prefetch ? t.prefetch_lines : 0;
  for (int64_t s = 0; s < t.segments; ++s) {
    const int64_t ao = t.a_seg ? t.a_seg[s] : 0;
    const float* b = t.b + (t.b_seg ? t.b_seg[s] : 0);
    auto step = [&](int64_t p) __attribute__((always_inline)) {
      vf bv[NF > 0 ? NF : 1];
#pragma GCC unroll 2
      for (int j = 0; j < NF; ++j) bv[j] = load(b + j * kV);
      const vh bh = load_h(b + NF * kV);
      const int64_t off = ao + p * ak;
      if (prefetch_a) {
        __builtin_prefetch(a[kContigA ? 0 : pf_row] + off + kPrefetchK * ak, 0, 3);
        if (!kContigA && ++pf_row == M) pf_row = 0;
      }
#pragma GCC unroll 16
      for (int i = 0; i < M; ++i) {
        const float av = kContigA ? a[0][off + i] : a[i][off];
#pragma GCC unroll 2
        for (int j = 0; j < NF; ++j) acc[i][j] += av * bv[j];
        acch[i] += av * bh;
      }
      b += bk;
    };
    const int64_t pf_end = std::min(t.k, pf_lines);
    int64_t p = 0;
    for (; p < pf_end; ++p) {
      __builtin_prefetch(t.prefetch + p * 16, 0, 2);
      step(p);
    }
    for (; p < t.k; ++p) step(p);
    pf_lines = 0;  // first segment only
  }
  const bool nt = !kRows && t.stream && !t.accumulate &&
                  ((reinterpret_cast<uintptr_t>(t.c) | (t.c_stride_m * sizeof(float))) % sizeof(vf)) == 0;
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) {
    float* c = kRows ? t.c_rows[i] : t.c + i * t.c_stride_m;
#pragma GCC unroll 2
    for (int j = 0; j < NF; ++j) {
      if (nt) {
        stream_store(c + j * kV, acc[i][j]);
      } else {
        vf v = acc[i][j];
        if (t.accumulate) v += load(c + j * kV);
        store(c + j * kV, v);
      }
    }
    vh v = acch[i];
    if (t.accumulate) v += load_h(c + NF * kV);
    store_h(c + NF * kV, v);
  }
}

template <int NF, int... Ms>
void tile_half_dispatch(const ConvTileArgs& t, std::integer_sequence<int, Ms...>) {
  using Fn = void (*)(const ConvTileArgs&);
  static constexpr Fn table[] = {&tile_half_m<Ms + 1, NF, false>...};
  static constexpr Fn rows_table[] = {&tile_half_m<Ms + 1, NF, true>...};
  static constexpr Fn contig_table[] = {&tile_half_m<Ms + 1, NF, false, true>...};
  (t.a_contiguous ? contig_table : t.c_rows ? rows_table : table)[t.m - 1](t);
}

template <bool kFullB, int NV, int... Ms>
void tile_dispatch(const ConvTileArgs& t, std::integer_sequence<int, Ms...>) {
  using Fn = void (*)(const ConvTileArgs&);
  static constexpr Fn table[] = {&tile_m<Ms + 1, kFullB, NV, false>...};
  static constexpr Fn rows_table[] = {&tile_m<Ms + 1, kFullB, NV, true>...};
  static constexpr Fn contig_table[] = {&tile_m<Ms + 1, kFullB, NV, false, true>...};
  (t.a_contiguous ? contig_table : t.c_rows ? rows_table : table)[t.m - 1](t);
}

void tile(const ConvTileArgs& t) {
  if (t.n == kV / 2) return tile_half_dispatch<0>(t, std::make_integer_sequence<int, kMr>{});
  if (t.n == kV + kV / 2) return tile_half_dispatch<1>(t, std::make_integer_sequence<int, kMr>{});
  // A one-vector tile reads kV floats of each B row: whole when n == kV.
  if (t.n <= kV) {
    if (t.b_full || t.n == kV) return tile_dispatch<true, 1>(t, std::make_integer_sequence<int, kMr>{});
    return tile_dispatch<false, 1>(t, std::make_integer_sequence<int, kMr>{});
  }
  if (t.b_full || t.n == kNr) return tile_dispatch<true, kNv>(t, std::make_integer_sequence<int, kMr>{});
  tile_dispatch<false, kNv>(t, std::make_integer_sequence<int, kMr>{});
}

#include "ops/kernels/conv/conv_dw_f32_body.h"

// ---- Winograd F(2x2,3x3) ---------------------------------------------------

template <typename T, typename Ld, typename St>
inline void wino_in_one(Ld ld, St st) {
  T d[4][4], t[4][4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) d[i][j] = ld(i, j);
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    st(i * 4 + 0, t[i][0] - t[i][2]);
    st(i * 4 + 1, t[i][1] + t[i][2]);
    st(i * 4 + 2, t[i][2] - t[i][1]);
    st(i * 4 + 3, t[i][1] - t[i][3]);
  }
}

void wino_input(const WinoInArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t t = 0; t < a.tiles; ++t) {
    const float* x = a.x + a.origin[t];
    float* v = a.v + t * c;
    for (int64_t ch = 0; ch < cv; ch += kV)
      wino_in_one<vf>([&](int i, int j) { return load(x + i * a.x_row + j * c + ch); },
                      [&](int xi, vf val) { store(v + xi * a.v_plane + ch, val); });
    for (int64_t ch = cv; ch < c; ++ch)
      wino_in_one<float>([&](int i, int j) { return x[i * a.x_row + j * c + ch]; },
                         [&](int xi, float val) { v[xi * a.v_plane + ch] = val; });
  }
}

template <typename T, typename Ld, typename St>
inline void wino_out_one(Ld ld, St st) {
  T m[4][4], s[2][4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) m[i][j] = ld(i * 4 + j);
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    s[0][j] = m[0][j] + m[1][j] + m[2][j];
    s[1][j] = m[1][j] - m[2][j] - m[3][j];
  }
#pragma GCC unroll 2
  for (int i = 0; i < 2; ++i) {
    st(i, 0, s[i][0] + s[i][1] + s[i][2]);
    st(i, 1, s[i][1] - s[i][2] - s[i][3]);
  }
}

void wino_output(const WinoOutArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t t = 0; t < a.tiles; ++t) {
    const float* m = a.m + t * c;
    float* y = a.y + a.origin[t];
    const int rows = a.rows[t], cols = a.cols[t];
    for (int64_t ch = 0; ch < cv; ch += kV)
      wino_out_one<vf>([&](int xi) { return load(m + xi * a.m_plane + ch); },
                       [&](int i, int j, vf val) {
                         if (i < rows && j < cols) store(y + i * a.y_row + j * c + ch, val);
                       });
    for (int64_t ch = cv; ch < c; ++ch)
      wino_out_one<float>([&](int xi) { return m[xi * a.m_plane + ch]; },
                          [&](int i, int j, float val) {
                            if (i < rows && j < cols) y[i * a.y_row + j * c + ch] = val;
                          });
  }
}

// ---- Winograd F(7x7,2x2) ---------------------------------------------------
// B^T and A^T of the points 0, 1, -1, 2, -2, 1/2, -1/2, inf, written out with
// their common subexpressions (the classic 8-point pair).

template <typename T>
inline void wino8_in_1d(const T (&d)[8], T (&o)[8]) {
  const T a = d[2] + d[6] - 4.25f * d[4], b = d[1] + d[5] - 4.25f * d[3];
  const T c = 0.25f * d[2] + d[6] - 1.25f * d[4], e = 0.5f * d[1] + 2.0f * d[5] - 2.5f * d[3];
  const T f = 4.0f * d[2] + d[6] - 5.0f * d[4], g = 2.0f * d[1] + 0.5f * d[5] - 2.5f * d[3];
  o[0] = d[6] - d[0] + 5.25f * (d[2] - d[4]);
  o[1] = a + b;
  o[2] = a - b;
  o[3] = c + e;
  o[4] = c - e;
  o[5] = f + g;
  o[6] = f - g;
  o[7] = d[7] - d[1] + 5.25f * (d[3] - d[5]);
}

template <typename T>
inline void wino8_out_1d(const T (&m)[8], T (&y)[7]) {
  const T s1 = m[1] + m[2], d1 = m[1] - m[2], s2 = m[3] + m[4], d2 = m[3] - m[4];
  const T s3 = m[5] + m[6], d3 = m[5] - m[6];
  y[0] = m[0] + s1 + s2 + s3;
  y[1] = d1 + 2.0f * d2 + 0.5f * d3;
  y[2] = s1 + 4.0f * s2 + 0.25f * s3;
  y[3] = d1 + 8.0f * d2 + 0.125f * d3;
  y[4] = s1 + 16.0f * s2 + 0.0625f * s3;
  y[5] = d1 + 32.0f * d2 + 0.03125f * d3;
  y[6] = s1 + 64.0f * s2 + 0.015625f * s3 + m[7];
}

// An N x N tile d lifted to the 8 x 8 points: one_d (a column of N values
// to 8) down the columns, then along the rows, so L d L^T with L = B^T for
// the input tiles (N = 8) and L = A for the dy tiles (N = 7).
template <int N, typename T, typename OneD, typename Ld, typename St>
inline void wino8_lift_one(OneD one_d, Ld ld, St st) {
  T t[8][N];
#pragma GCC unroll 8
  for (int j = 0; j < N; ++j) {  // columns: t[.][j] = L d[.][j]
    T col[N], o[8];
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) col[i] = ld(i, j);
    one_d(col, o);
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) t[i][j] = o[i];
  }
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {  // rows: V[i][.] = t[i][.] L^T
    T o[8];
    one_d(t[i], o);
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) st(i * 8 + j, o[j]);
  }
}

// Every segment's N x N tile runs (a.src) lifted into a.v.
template <int N, typename OneD>
void wino8_lift(const Wino8InArgs& a, OneD one_d) {
  const int64_t c = a.seg_c, cv = c / kV * kV, segs = a.segs;
  for (int64_t s = 0; s < segs; ++s) {
    const float* const* src = a.src + s;
    float* v = a.v + s * c;
    for (int64_t ch = 0; ch < cv; ch += kV)
      wino8_lift_one<N, vf>(one_d,
                            [&](int i, int j) { return load(src[(i * N + j) * segs] + ch); },
                            [&](int xi, vf val) { store(v + xi * a.v_plane + ch, val); });
    for (int64_t ch = cv; ch < c; ++ch)
      wino8_lift_one<N, float>(one_d, [&](int i, int j) { return src[(i * N + j) * segs][ch]; },
                               [&](int xi, float val) { v[xi * a.v_plane + ch] = val; });
  }
}

void wino8_input(const Wino8InArgs& a) {
  wino8_lift<8>(a, [](const auto& d, auto& o) { wino8_in_1d(d, o); });
}

template <typename T, typename Ld, typename St>
inline void wino8_out_one(Ld ld, St st) {
  T t[7][8];
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {  // columns: t[.][j] = A^T M[.][j]
    T col[8], o[7];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) col[i] = ld(i * 8 + j);
    wino8_out_1d(col, o);
#pragma GCC unroll 7
    for (int i = 0; i < 7; ++i) t[i][j] = o[i];
  }
#pragma GCC unroll 7
  for (int i = 0; i < 7; ++i) {  // rows: Y[i][.] = t[i][.] A
    T o[7];
    wino8_out_1d(t[i], o);
#pragma GCC unroll 7
    for (int j = 0; j < 7; ++j) st(i * 7 + j, o[j]);
  }
}

void wino8_output(const Wino8OutArgs& a) {
  const int64_t c = a.seg_c, cv = c / kV * kV, segs = a.segs;
  for (int64_t s = 0; s < segs; ++s) {
    float* const* dst = a.dst + s;
    const float* m = a.m + s * c;
    for (int64_t ch = 0; ch < cv; ch += kV)
      wino8_out_one<vf>([&](int xi) { return load(m + xi * a.m_plane + ch); },
                        [&](int p, vf val) { store(dst[p * segs] + ch, val); });
    for (int64_t ch = cv; ch < c; ++ch)
      wino8_out_one<float>([&](int xi) { return m[xi * a.m_plane + ch]; },
                           [&](int p, float val) { dst[p * segs][ch] = val; });
  }
}

// G of F(7,2) (8x2); (G g G^T)[i*8 + j] = sum_ab G[i][a] G[j][b] g[a][b], with
// the products G[i][a] G[j][b] rounded once from double.
constexpr double kWino8G[8][2] = {{-1.0, 0.0},           {-2.0 / 9, -2.0 / 9},  {-2.0 / 9, 2.0 / 9},
                                  {1.0 / 90, 1.0 / 45},  {1.0 / 90, -1.0 / 45}, {32.0 / 45, 16.0 / 45},
                                  {32.0 / 45, -16.0 / 45}, {0.0, 1.0}};
struct Wino8Coef {
  float c[64][4];
  constexpr Wino8Coef() : c{} {
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 8; ++j)
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            c[i * 8 + j][a * 2 + b] = static_cast<float>(kWino8G[i][a] * kWino8G[j][b]);
  }
};
constexpr Wino8Coef kWino8Coef{};

void wino8_weights(const Wino8WeightArgs& a) {
  vf g[4][kNv];
#pragma GCC unroll 4
  for (int t = 0; t < 4; ++t)
#pragma GCC unroll 2
    for (int v = 0; v < kNv; ++v) g[t][v] = load(a.g + t * kNr + v * kV);
  for (int xi = 0; xi < 64; ++xi) {
    const float* c = kWino8Coef.c[xi];
#pragma GCC unroll 2
    for (int v = 0; v < kNv; ++v)
      store(a.u + xi * a.u_plane + v * kV, c[0] * g[0][v] + c[1] * g[1][v] + c[2] * g[2][v] + c[3] * g[3][v]);
  }
}

// A (8x7), the transpose of the output transform: o[j] = sum_i A^T[i][j] d[i].
template <typename T>
inline void wino8_dy_1d(const T (&d)[7], T (&o)[8]) {
  const T e1 = d[0] + d[2] + d[4] + d[6], o1 = d[1] + d[3] + d[5];
  const T e2 = d[0] + 4.0f * d[2] + 16.0f * d[4] + 64.0f * d[6];
  const T o2 = 2.0f * d[1] + 8.0f * d[3] + 32.0f * d[5];
  const T e3 = d[0] + 0.25f * d[2] + 0.0625f * d[4] + 0.015625f * d[6];
  const T o3 = 0.5f * d[1] + 0.125f * d[3] + 0.03125f * d[5];
  o[0] = d[0];
  o[1] = e1 + o1;
  o[2] = e1 - o1;
  o[3] = e2 + o2;
  o[4] = e2 - o2;
  o[5] = e3 + o3;
  o[6] = e3 - o3;
  o[7] = d[6];
}

void wino8_dy(const Wino8InArgs& a) {
  wino8_lift<7>(a, [](const auto& d, auto& o) { wino8_dy_1d(d, o); });
}

void wino8_wgrad(const Wino8WgradArgs& a) {
  const int64_t lv = a.len / kV * kV;
  for (int64_t j = 0; j < lv; j += kV) {
    vf acc[4] = {};
    for (int xi = 0; xi < 64; ++xi) {
      // 64 streams side by side: ahead of the hardware prefetchers.
      __builtin_prefetch(a.s + xi * a.s_plane + j + 8 * kV, 0, 3);
      const vf s = load(a.s + xi * a.s_plane + j);
      const float* c = kWino8Coef.c[xi];
#pragma GCC unroll 4
      for (int t = 0; t < 4; ++t) acc[t] += c[t] * s;
    }
#pragma GCC unroll 4
    for (int t = 0; t < 4; ++t) store(a.out + t * a.out_plane + j, acc[t]);
  }
  for (int64_t j = lv; j < a.len; ++j) {
    float acc[4] = {};
    for (int xi = 0; xi < 64; ++xi)
      for (int t = 0; t < 4; ++t) acc[t] += kWino8Coef.c[xi][t] * a.s[xi * a.s_plane + j];
    for (int t = 0; t < 4; ++t) a.out[t * a.out_plane + j] = acc[t];
  }
}

}  // namespace

ConvKernels make_table(const char* name, Isa isa) {
  return {name, isa, kMr, kNr, &tile, &dw_forward, &dw_backward_data, &dw_backward_weights,
          &wino_input, &wino_output, &wino8_input, &wino8_output, &wino8_weights, &wino8_dy, &wino8_wgrad};
}

}  // namespace nas::ops::kernels::NAS_CONV_NS
