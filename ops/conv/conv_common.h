// Helpers shared by the conv algorithms (internal to ops/conv/).
#pragma once

#include <cstdint>
#include <functional>

#include "ops/conv/conv_params.h"

namespace nas::ops::conv_detail {

// A zero-padded, optionally zero-upsampled copy of one NHWC image:
//   dst[y][x][c] = src[(y - top) / up][(x - left) / up][c]
// when (y - top) and (x - left) are non-negative multiples of `up` and the
// source index is inside the image, else 0. top/left may be negative (crop).
struct PadSpec {
  int64_t src_h = 0, src_w = 0, c = 0;
  int up = 1;
  int64_t top = 0, left = 0;
  int64_t dst_h = 0, dst_w = 0;
  int64_t floats() const { return dst_h * dst_w * c; }
  // True when dst would equal src (no copy needed).
  bool identity() const { return up == 1 && top == 0 && left == 0 && dst_h == src_h && dst_w == src_w; }
};
void pad_image(const PadSpec& s, const float* src, float* dst);
// Rows [y0, y1) of dst only.
void pad_image_rows(const PadSpec& s, const float* src, float* dst, int64_t y0, int64_t y1);

// Outputs larger than this (half the L3 of the machine the kernels were tuned
// on) are written with non-temporal stores: they would not stay in cache for
// their reader anyway, and streaming saves the read-for-ownership traffic.
constexpr int64_t kStreamOutputBytes = int64_t{16} << 20;

// Orders this thread's non-temporal stores (ConvTileArgs::stream) before
// later stores, so another thread that synchronises with it sees them.
inline void conv_stream_fence() {
#if defined(__SSE__)
  __builtin_ia32_sfence();
#endif
}

// Runs work(image, padded_image, item_begin, item_end) over items [0, items)
// of every image. With batch >= threads, images go to threads whole (each pads
// its own copy into its thread scratch); otherwise images run one after the
// other (large ones padded by all threads) and their items are split across
// threads. `pad` may be identity.
// `rows_for`, when given, maps an item range [b, e) to the padded rows
// [y0, y1) its work reads; large images that run in turn are then padded
// band by band inside the one parallel loop (each chunk pads the rows it
// reads into its own buffer, halo rows twice), saving a fork-join.
using PadRowsFn = std::function<void(int64_t b, int64_t e, int64_t* y0, int64_t* y1)>;
void for_each_image(int64_t batch, int64_t items, const PadSpec& pad, const float* src,
                    int64_t src_image_floats,
                    const std::function<void(int64_t, const float*, int64_t, int64_t)>& work,
                    const PadRowsFn& rows_for = nullptr);

// y[r][c] += bias[c] for r < rows.
void add_bias(float* y, int64_t rows, int64_t c, const float* bias);
// db[c] = sum_r dy[r][c], with fixed row chunks summed in a fixed order.
void bias_grad(const float* dy, int64_t rows, int64_t c, float* db);

// Number of per-chunk partial sums for batch reductions of weight gradients:
// a function of the batch only, so the summation order never changes.
int64_t wgrad_chunks(int64_t batch);
// out[i] = sum_{ch < chunks} partial[ch*n + i], chunks in increasing order.
void sum_partials(const float* partial, int64_t chunks, int64_t n, float* out);

// The same for per-group partials stored [group][row][co] (co fastest),
// summed into a weight gradient laid out [group*out_g + co][row]:
// out[oc*rows + r] = sum over chunks of partial[ch*n + (g*rows + r)*out_g + co]
// with g = oc / out_g, co = oc % out_g and n = out_c*rows.
void sum_partials_transposed(const float* partial, int64_t chunks, int64_t out_c, int64_t out_g,
                             int64_t rows, float* out);

// One pixel block of a weight-gradient reduction, for groups g < groups:
//   c[(g*rows + r)*cols + j] (+)= sum_{p<k} a[p*lda + g*rows + r] * b[p*ldb + g*cols + j]
// (adds when accumulate, else overwrites). Both operands are pixel-major
// tensors read in place (no packing) by register tiles of the conv tile
// kernel: tile rows broadcast adjacent channels of a, tile columns are
// vectors of b's channels, so the wider channel dimension should be b's.
// Sums run over p in order, so the caller's fixed blocks make the result
// independent of threads. next_a / next_b (next_k pixels, same strides), when
// given, are the caller's next block: its lines are prefetched meanwhile.
struct WgradBlock {
  const float* a = nullptr;
  int64_t lda = 0;
  const float* b = nullptr;
  int64_t ldb = 0;
  int64_t groups = 1, rows = 0, cols = 0, k = 0;
  float* c = nullptr;
  bool accumulate = false;
  const float* next_a = nullptr;
  const float* next_b = nullptr;
  int64_t next_k = 0;
};
void wgrad_block(const WgradBlock& w);

// One transform point xi of a Winograd algorithm with `points` points:
// M[xi] (cnt x n) = V[xi] (cnt x k) * U[xi] (k x n) on the conv tile kernel.
// V and M are point-major (point xi's plane starts at xi*cnt rows, rows k and
// n floats apart); U is packed u[cob][xi][k][nr] for the kernel's nr.
void wino_point_product(int64_t points, int64_t xi, const float* v, int64_t cnt, int64_t k,
                        const float* u, int64_t n, float* m);
// Memory a caller wants in cache soon, fetched a line per k step by the tile
// kernels of wino_point_product (spread over the GEMMs, where a burst of
// prefetches would stall on the miss queue): one contiguous range of `lines`
// cache lines from `ptr`, at most per_call lines per tile call.
struct WinoPrefetch {
  const float* ptr = nullptr;
  int64_t lines = 0;
  int64_t per_call = 0;
  // The next at most `want` lines (at *p, count); count 0 when done.
  int64_t take(int64_t want, const float** p);
};

// The same with point planes v_plane and m_plane floats apart (>= cnt*k and
// cnt*n: a padded plane keeps the 64 planes off a few cache sets); pf, when
// given, is drawn from by each tile call.
void wino_point_product(int64_t points, int64_t xi, const float* v, int64_t v_plane, int64_t cnt,
                        int64_t k, const float* u, int64_t n, float* m, int64_t m_plane,
                        WinoPrefetch* pf = nullptr);

// The weights of the transposed convolution: for group g,
//   wt[g*in_g + ci][kh'][kw'][co] = w[g*out_g + co][KH-1-kh'][KW-1-kw'][ci]
// (OHWI with in/out channels swapped and the kernel rotated by 180 degrees),
// so that backward-data is a forward convolution of dy.
void flip_transpose_weights(const ConvParams& p, const float* w, float* wt);

// The stride-1 convolution whose forward pass is p's backward-data:
// input = dy upsampled by p.stride and padded, output = dx. `pad` describes
// how dy is padded; the returned params have pad 0 (padding is in `pad`).
struct TransposedConv {
  ConvParams params;
  PadSpec pad;
};
TransposedConv transposed_conv(const ConvParams& p);

}  // namespace nas::ops::conv_detail
