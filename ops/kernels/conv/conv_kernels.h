// FP32 convolution micro-kernels over NHWC data: plain functions over raw
// pointers, one file per ISA (conv_f32_<isa>.cc, each compiled with its own
// flags from one shared template, conv_f32_impl.h), chosen once at run time
// from cpu_features(). ops/conv/ builds every algorithm (direct, Winograd,
// depthwise) out of these; tests/ops/conv checks each ISA's table against the
// portable one.
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"

namespace nas::ops::kernels {

// One MR x NR tile of a "segmented" GEMM, the shape shared by implicit-GEMM
// convolution (rows = output pixels, segments = kernel taps, k = input
// channels), its weight gradient (rows = (tap, input channel), segments =
// output rows, k = output columns) and the Winograd products:
//   acc[i][j] = sum_s sum_{p<k} a_rows[i][a_seg[s] + p*a_stride_k]
//                              * b[b_seg[s] + p*b_stride_k + j]
//   c[i*c_stride_m + j] = acc[i][j] (+ c[...] when accumulate)   i < m, j < n
// (c_rows[i][j] instead when c_rows is set)
// Sums run in a fixed order (segments, then p), so results never depend on
// how the caller splits the output into tiles.
// REQUIRES: 1 <= m <= mr, 1 <= n <= nr; a_seg/b_seg null (offset 0) or
// `segments` long; when !b_full, only n floats of each b row are read,
// otherwise nr floats are readable (padding lanes finite).
struct ConvTileArgs {
  int64_t m = 0, n = 0;
  int64_t segments = 1;
  const int64_t* a_seg = nullptr;
  const int64_t* b_seg = nullptr;
  int64_t k = 0;
  const float* const* a_rows = nullptr;
  int64_t a_stride_k = 1;
  const float* b = nullptr;
  int64_t b_stride_k = 0;
  bool b_full = true;
  float* c = nullptr;
  int64_t c_stride_m = 0;
  bool accumulate = false;
  // Non-temporal stores for the whole vectors of a tile's rows, for outputs
  // far larger than the caches (saves the read-for-ownership traffic);
  // ignored when accumulating or when c is not vector-aligned. The kernel
  // does not fence: the caller issues a store fence (conv_stream_fence in
  // ops/conv/conv_common.h) before another thread reads c.
  bool stream = false;
  // When set, row i of the tile goes to c_rows[i] instead of
  // c + i*c_stride_m (rows scattered through an image, e.g. one stride phase
  // of a backward-data pass); streaming stores are then not used.
  float* const* c_rows = nullptr;
  // When set, a_rows holds one pointer and row i of A is a_rows[0] + i
  // (adjacent channels of one pixel: the weight gradient of a 1x1 conv).
  // Not with c_rows.
  bool a_contiguous = false;
  // The 64-byte lines at prefetch, prefetch + 16, ... (prefetch_lines of
  // them, at most one per k step of the first segment) are fetched towards
  // L2 during the k loop: the next tile's or block's inputs, for callers
  // whose first touch of them would otherwise wait on memory row by row.
  const float* prefetch = nullptr;
  int64_t prefetch_lines = 0;
};

// Depthwise geometry for one image: x is h x w x c, y is oh x ow x c, weights
// are packed tap-major, wt[(kh*kw_size + kw)*c + ch].
struct DwArgs {
  const float* x = nullptr;
  int64_t h = 0, w = 0, c = 0;
  int kh = 1, kw = 1, stride = 1, pad = 0, dilation = 1;
  const float* wt = nullptr;
  float* y = nullptr;  // forward output / backward-data output (dx)
  const float* dy = nullptr;
  float* dwt = nullptr;  // weight-gradient accumulator, tap-major like wt
  int64_t oh = 0, ow = 0;
  int64_t row_begin = 0, row_end = 0;  // rows of y (forward) / of dx (backward data) / of dy (weights)
  // dw_forward, dw_backward_data: non-temporal stores where y is
  // vector-aligned (outputs far larger than the caches).
  bool stream = false;
  // The whole batch is far larger than the caches (data comes from memory):
  // the kernels may copy rows into a cached ring with sequential reads,
  // which the hardware prefetchers follow better than tile-order reads.
  bool from_memory = false;
  // The batch is beyond L2 but not beyond the caches (L3 holds it): the
  // in-place forward (stride 1) and weight gradient prefetch the next
  // output row's input rows in software.
  bool prefetch = false;
  // dw_forward and dw_backward_weights: x is a producer's tensor not yet
  // transformed. Each input row is transformed as the row ring copies it
  // (xform(xform_ctx, src, n, dst) writes n pixels of c channels). The
  // forward also streams the rows this run owns (dw_owner_row) to xt when
  // xt is set (the transformed tensor, x's layout). REQUIRES:
  // dw_can_transform_input(*this) for dw_forward,
  // dw_weights_can_transform_input(*this) for dw_backward_weights.
  void (*xform)(const void* ctx, const float* src, int64_t pixels, float* dst) = nullptr;
  const void* xform_ctx = nullptr;
  float* xt = nullptr;
};

// The output row whose run owns input row i when the forward transforms its
// input: every input row has exactly one, and that row reads it, when
// dw_can_transform_input holds.
inline int64_t dw_owner_row(const DwArgs& a, int64_t i) {
  const int64_t o = (i + a.pad) / a.stride;
  return o < a.oh - 1 ? o : a.oh - 1;
}

// The forward's row ring: `span` input rows one output row reads, each
// padded to `wp` pixels.
inline int64_t dw_ring_span(const DwArgs& a) { return int64_t{a.kh - 1} * a.dilation + 1; }
inline int64_t dw_ring_row_pixels(const DwArgs& a) {
  return (a.ow - 1) * a.stride + int64_t{a.kw - 1} * a.dilation + 1;
}
// Whether dw_forward, when it takes no edge tiles, works from the row ring:
// narrow rows, or batches from memory whose ring fits L2.
inline bool dw_forward_uses_ring(const DwArgs& a) {
  const int64_t ring_bytes = dw_ring_span(a) * dw_ring_row_pixels(a) * a.c * int64_t{sizeof(float)};
  return a.w * a.c * int64_t{sizeof(float)} <= (int64_t{32} << 10) ||
         (a.from_memory && ring_bytes <= (int64_t{512} << 10));
}

// Whether dw_forward can transform its input on the way (batches from
// memory, whose forward copies every input row into a ring once per run, in
// full; every input row read by the output row that owns it).
inline bool dw_can_transform_input(const DwArgs& a) {
  const int64_t span = dw_ring_span(a);
  return a.from_memory && dw_forward_uses_ring(a) && a.stride <= span && a.pad >= a.stride - 1 &&
         a.pad + a.w <= dw_ring_row_pixels(a) && a.oh >= 1 &&
         a.h - 1 <= (a.oh - 1) * a.stride - a.pad + (span - 1);
}

// Whether dw_backward_weights sweeps fixed tiles: dilation 1, 3, 5 or 7
// columns at stride 1, 3 or 5 at stride 2 (any kernel height up to 64).
inline bool dw_weights_fixed(const DwArgs& a) {
  if (a.dilation != 1 || a.kh > 64) return false;
  if (a.stride == 1) return a.kw == 3 || a.kw == 5 || a.kw == 7;
  return a.stride == 2 && (a.kw == 3 || a.kw == 5);
}
// Whether the fixed-tile weight gradient copies x rows into a ring of kh
// zero-padded rows (batches from memory whose ring fits L2).
inline bool dw_weights_uses_ring(const DwArgs& a) {
  const int64_t wp = (a.ow - 1) * a.stride + a.kw;  // padded ring row, pixels
  return a.from_memory && a.kh * wp * a.c * int64_t{sizeof(float)} <= (int64_t{512} << 10);
}
// Whether dw_backward_weights can transform x on the way (its ring copies
// every x row it reads, once per run).
inline bool dw_weights_can_transform_input(const DwArgs& a) {
  return dw_weights_fixed(a) && dw_weights_uses_ring(a);
}

// Winograd F(2x2,3x3) transforms of a block of tiles, vectorised over channels.
// Tile t's 4x4 input patch starts at x + origin[t] (row stride x_row floats,
// pixel stride c). V[xi*v_plane + t*c + ch] receives B^T d B for xi = 0..15.
struct WinoInArgs {
  const float* x = nullptr;
  int64_t x_row = 0, c = 0;
  const int64_t* origin = nullptr;
  int64_t tiles = 0;
  float* v = nullptr;
  int64_t v_plane = 0;
};
// Y = A^T M A for each tile: the 2x2 result of tile t goes to y + origin[t]
// (row stride y_row, pixel stride c), cropped to rows[t] x cols[t] (1 or 2).
struct WinoOutArgs {
  const float* m = nullptr;
  int64_t m_plane = 0, c = 0;
  const int64_t* origin = nullptr;
  const uint8_t* rows = nullptr;
  const uint8_t* cols = nullptr;
  int64_t tiles = 0;
  float* y = nullptr;
  int64_t y_row = 0;
};

// Winograd F(7x7,2x2) transforms of one 8x8 tile, vectorised over channels
// (the 2x2 stride-1 convs that ops/conv/conv_winograd_s2.cc makes of 3x3
// stride-2 passes). Points 0, +-1, +-2, +-1/2 and infinity.
// A tile's c = segs * seg_c channels per point come in `segs` runs of seg_c
// floats, read from or written to where the caller points (the stride
// phases of a pixel are runs from different pixels); a point outside the
// image reads a run of zeros and writes to a scratch run.
// Input: point p (8x8, row-major) segment s reads src[p*segs + s][0, seg_c);
// v[xi*v_plane + s*seg_c + ch] receives (B^T d B)[xi] for xi = 0..63.
struct Wino8InArgs {
  const float* const* src = nullptr;
  int64_t segs = 1, seg_c = 0;
  float* v = nullptr;
  int64_t v_plane = 0;
};
// Output: point p (7x7, row-major) segment s receives A^T M A in
// dst[p*segs + s][0, seg_c), where M[xi] = m[xi*m_plane + s*seg_c + ch].
struct Wino8OutArgs {
  const float* m = nullptr;
  int64_t m_plane = 0;
  float* const* dst = nullptr;
  int64_t segs = 1, seg_c = 0;
};

// Weights: g holds the 2x2 kernels of nr output channels, tap (a, b) at
// g[(a*2 + b)*nr + j]; u[xi*u_plane + j] receives (G g G^T)[xi] for j < nr.
struct Wino8WeightArgs {
  const float* g = nullptr;
  float* u = nullptr;
  int64_t u_plane = 0;
};

// Weight gradient of the same 2x2 conv (F(2x2,7x7), the transpose of
// F(7x7,2x2)): dW = G^T [sum over tiles (A dy A^T) . (B^T d B)] G.
// wino8_dy: as wino8_input, but over a 7x7 tile of output gradients (49
// points): v[xi*v_plane + ...] receives (A dy A^T)[xi].
// wino8_wgrad: out[t*out_plane + j] = (G^T S G)[t] for the 2x2 taps t = a*2 + b,
// j < len, where S[xi] = s[xi*s_plane + j].
struct Wino8WgradArgs {
  const float* s = nullptr;
  int64_t s_plane = 0, len = 0;
  float* out = nullptr;
  int64_t out_plane = 0;
};

struct ConvKernels {
  const char* name;  // conv_f32_<isa>
  Isa isa;
  int mr, nr;  // tile shape of `tile`
  void (*tile)(const ConvTileArgs&);
  // Rows [row_begin, row_end) of y: y = depthwise conv of x (no bias).
  void (*dw_forward)(const DwArgs&);
  // Rows [row_begin, row_end) of dx (in y): gather form, any stride.
  void (*dw_backward_data)(const DwArgs&);
  // dwt += sum over dy rows [row_begin, row_end) of dy * x, per tap and channel.
  void (*dw_backward_weights)(const DwArgs&);
  void (*wino_input)(const WinoInArgs&);
  void (*wino_output)(const WinoOutArgs&);
  void (*wino8_input)(const Wino8InArgs&);
  void (*wino8_output)(const Wino8OutArgs&);
  void (*wino8_weights)(const Wino8WeightArgs&);
  void (*wino8_dy)(const Wino8InArgs&);
  void (*wino8_wgrad)(const Wino8WgradArgs&);
};

ConvKernels conv_f32_scalar();
ConvKernels conv_f32_avx2();
ConvKernels conv_f32_avx512();

// The table for cpu_features().best, chosen once.
const ConvKernels& conv_kernels();
// Every table this CPU can run, portable first (for parity tests).
std::span<const ConvKernels> conv_kernels_available();

}  // namespace nas::ops::kernels
