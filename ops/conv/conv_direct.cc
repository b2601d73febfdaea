// Direct convolution as an implicit GEMM: output pixels are the rows of the
// tile kernel, kernel taps its segments and input channels its k loop, read
// straight from a zero-padded copy of each image (no im2col matrix). Weights
// are packed once per call into [group][cout block][tap][cin][NR] panels.
#include <algorithm>
#include <vector>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/conv/conv_scratch.h"
#include "ops/core/parallel.h"
#include "ops/gemm/sgemm_pack.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {
namespace {

using kernels::ConvKernels;
using kernels::ConvTileArgs;

int64_t cout_blocks(const ConvParams& p) {
  const int nr = kernels::conv_kernels().nr;
  return (p.out_per_group() + nr - 1) / nr;
}

// Forward of q (pad 0) over inputs padded by `pad`. With an observer, each
// work item's pixels are reported as soon as its tiles are written (an image
// of a small-image batch: hundreds of KB, still in L2), and y is not streamed.
void implicit_forward(const ConvParams& q, const PadSpec& pad, const float* src,
                      int64_t src_image_floats, const float* wpacked, float* y,
                      RowBlockObserver* observer) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t c = q.in_c, in_g = q.in_per_group(), out_g = q.out_per_group();
  const int64_t oh = q.out_h(), ow = q.out_w(), pixels = oh * ow, wp = q.in_w;
  const int64_t ncob = cout_blocks(q), taps = q.taps();
  ScratchScope scratch;
  int64_t* a_seg = alloc_i64(scratch, taps);
  int64_t* b_seg = alloc_i64(scratch, taps);
  // With one group and no dilation, a kernel row's (kx, ci) inputs are one
  // contiguous run of kernel_w*in_c floats: one segment per kernel row, with
  // a longer k loop (matters for few input channels, e.g. an RGB stem).
  const bool merge_rows = q.groups == 1 && q.dilation == 1;
  const int64_t segments = merge_rows ? q.kernel_h : taps;
  const int64_t seg_k = merge_rows ? q.kernel_w * in_g : in_g;
  for (int ky = 0; ky < q.kernel_h; ++ky)
    for (int kx = 0; kx < q.kernel_w; ++kx) {
      const int t = ky * q.kernel_w + kx;
      a_seg[t] = (int64_t{ky} * q.dilation * wp + int64_t{kx} * q.dilation) * c;
      b_seg[t] = t * in_g * K.nr;
    }
  if (merge_rows)
    for (int ky = 0; ky < q.kernel_h; ++ky) {
      a_seg[ky] = int64_t{ky} * wp * c;
      b_seg[ky] = int64_t{ky} * q.kernel_w * in_g * K.nr;
    }
  const int64_t tiles = (pixels + K.mr - 1) / K.mr;
  // Outputs beyond kStreamOutputBytes go straight to memory.
  const bool stream = observer == nullptr &&
                      q.batch * pixels * q.out_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  // Padded rows read by tiles [tb, te): from the first pixel's top tap row
  // to the last pixel's bottom one.
  const int64_t extent_h = int64_t{q.dilation} * (q.kernel_h - 1) + 1;
  auto rows_for = [&](int64_t tb, int64_t te, int64_t* y0, int64_t* y1) {
    const int64_t last = std::min(te * K.mr, pixels) - 1;
    *y0 = tb * K.mr / ow * q.stride;
    *y1 = last / ow * q.stride + extent_h;
  };
  // 1x1, stride 1: the next tile's rows are the next MR pixels, one
  // contiguous run; its tiles prefetch it a line per k step, since its first
  // touch otherwise waits on memory row by row (MR rows read in parallel are
  // too many streams for the hardware prefetchers).
  const bool prefetch_next = q.kernel_h == 1 && q.kernel_w == 1 && q.stride == 1;
  for_each_image(q.batch, tiles, pad, src, src_image_floats,
                 [&](int64_t n, const float* img, int64_t tb, int64_t te) {
    const float* base[32];
    const float* rows[32];
    float* yimg = y + n * pixels * q.out_c;
    // Output position of the next tile's first pixel, advanced without division.
    int64_t oy = tb * K.mr / ow, ox = tb * K.mr % ow;
    const int64_t row_step = q.stride * wp * c, col_step = q.stride * c;
    for (int64_t tile = tb; tile < te; ++tile) {
      const int64_t p0 = tile * K.mr, m = std::min<int64_t>(K.mr, pixels - p0);
      const float* at = img + oy * row_step + ox * col_step;
      for (int64_t i = 0; i < m; ++i) {
        base[i] = at;
        at += col_step;
        if (++ox == ow) {
          ox = 0;
          ++oy;
          at = img + oy * row_step;
        }
      }
      const int64_t next_pixels = prefetch_next ? std::min<int64_t>(K.mr, pixels - p0 - m) : 0;
      const int64_t next_lines = next_pixels > 0 ? (next_pixels * c + 15) / 16 : 0;
      const float* next = img + (p0 + m) * c;
      for (int64_t g = 0; g < q.groups; ++g) {
        for (int64_t i = 0; i < m; ++i) rows[i] = base[i] + g * in_g;
        for (int64_t cob = 0; cob < ncob; ++cob) {
          ConvTileArgs t;
          const int64_t l0 = (g * ncob + cob) * seg_k;
          if (l0 < next_lines) {
            t.prefetch = next + l0 * 16;
            t.prefetch_lines = std::min(seg_k, next_lines - l0);
          }
          t.m = m;
          t.n = std::min<int64_t>(K.nr, out_g - cob * K.nr);
          t.segments = segments;
          t.a_seg = a_seg;
          t.b_seg = b_seg;
          t.k = seg_k;
          t.a_rows = rows;
          t.a_stride_k = 1;
          t.b = wpacked + (g * ncob + cob) * taps * in_g * K.nr;
          t.b_stride_k = K.nr;
          t.c = yimg + p0 * q.out_c + g * out_g + cob * K.nr;
          t.c_stride_m = q.out_c;
          t.stream = stream;
          K.tile(t);
        }
      }
    }
    if (stream) conv_stream_fence();
    if (observer != nullptr)
      observer->report(n * pixels + tb * K.mr, n * pixels + std::min(te * K.mr, pixels));
  }, rows_for);
}

PadSpec forward_pad(const ConvParams& p) {
  PadSpec s;
  s.src_h = p.in_h;
  s.src_w = p.in_w;
  s.c = p.in_c;
  s.top = s.left = p.pad;
  s.dst_h = p.in_h + 2 * p.pad;
  s.dst_w = p.in_w + 2 * p.pad;
  return s;
}

ConvParams padded_params(const ConvParams& p) {
  ConvParams q = p;
  q.in_h += 2 * p.pad;
  q.in_w += 2 * p.pad;
  q.pad = 0;
  return q;
}

bool applies(const ConvParams&) { return true; }

void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  ScratchScope scratch;
  float* packed = scratch.alloc_floats(direct_packed_floats(p));
  pack_direct_weights(p, w, packed);
  implicit_forward(padded_params(p), forward_pad(p), x, p.in_h * p.in_w * p.in_c, packed, y,
                   observer);
}

// Backward-data of a strided conv by stride phases: input pixel
// (s*j + py - pad, s*i + px - pad) only meets the taps ky = py + t*s,
// kx = px + u*s, from dy pixel (j - t, i - u). So each of the s*s phases is a
// small stride-1 correlation of dy (padded by T-1 rows / U-1 columns in front)
// with its sub-kernel, and no multiply touches the zeros that the transposed
// conv's upsampling would insert (3/4 of them at stride 2). Rows of a tile
// are pixels of one phase, written through c_rows. Groups 1, dilation 1.
struct Phase {
  int py, px, taps_y, taps_x;
  int64_t j0, jn, i0, in;  // phase grid: rows [j0, j0+jn), columns [i0, i0+in)
  int64_t tiles, tile0;    // tiles of MR pixels, first tile's global index
  int64_t w_offset;        // its packed sub-kernel in the weight buffer
};

bool phased_backward_data(const ConvParams& p) {
  return p.stride > 1 && p.groups == 1 && p.dilation == 1;
}

void backward_data_phased(const ConvParams& p, const float* dy, const float* w, float* dx) {
  const ConvKernels& K = kernels::conv_kernels();
  const int s = p.stride, kh = p.kernel_h, kw = p.kernel_w;
  const int64_t oh = p.out_h(), ow = p.out_w(), co_n = p.out_c, ci_n = p.in_c;
  const int64_t ncib = (ci_n + K.nr - 1) / K.nr;
  const int ty_max = (kh + s - 1) / s, tx_max = (kw + s - 1) / s;
  // dy padded by ty_max-1 rows / tx_max-1 columns in front; deep enough for
  // the last phase row (j up to (in_h - 1 + pad) / s).
  PadSpec pad;
  pad.src_h = oh;
  pad.src_w = ow;
  pad.c = co_n;
  pad.top = ty_max - 1;
  pad.left = tx_max - 1;
  pad.dst_h = (p.in_h - 1 + p.pad) / s + ty_max;
  pad.dst_w = (p.in_w - 1 + p.pad) / s + tx_max;
  const int64_t pw = pad.dst_w;

  ScratchScope scratch;
  static_assert(sizeof(Phase) % sizeof(int64_t) == 0);
  Phase* phases = reinterpret_cast<Phase*>(
      alloc_i64(scratch, int64_t{s} * s * static_cast<int64_t>(sizeof(Phase) / sizeof(int64_t))));
  // Per phase, its segment offsets (tap (t, u) at t*taps_x + u).
  const int64_t seg_max = int64_t{ty_max} * tx_max;
  int64_t* a_segs = alloc_i64(scratch, int64_t{s} * s * seg_max);
  int64_t* b_segs = alloc_i64(scratch, int64_t{s} * s * seg_max);
  int64_t tiles = 0, wfloats = 0;
  for (int py = 0; py < s; ++py)
    for (int px = 0; px < s; ++px) {
      Phase& ph = phases[py * s + px];
      ph.py = py;
      ph.px = px;
      ph.taps_y = py < kh ? (kh - py + s - 1) / s : 0;
      ph.taps_x = px < kw ? (kw - px + s - 1) / s : 0;
      // Input rows s*j + py - pad inside [0, in_h) (none when the image is
      // smaller than the phase offset).
      const int64_t last_y = p.in_h - 1 + p.pad - py, last_x = p.in_w - 1 + p.pad - px;
      ph.j0 = (p.pad - py + s - 1) / s;
      ph.jn = last_y < 0 ? 0 : std::max<int64_t>(0, last_y / s - ph.j0 + 1);
      ph.i0 = (p.pad - px + s - 1) / s;
      ph.in = last_x < 0 ? 0 : std::max<int64_t>(0, last_x / s - ph.i0 + 1);
      ph.tiles = (ph.jn * ph.in + K.mr - 1) / K.mr;
      ph.tile0 = tiles;
      ph.w_offset = wfloats;
      tiles += ph.tiles;
      wfloats += ncib * ph.taps_y * ph.taps_x * co_n * K.nr;
      for (int t = 0; t < ph.taps_y; ++t)
        for (int u = 0; u < ph.taps_x; ++u) {
          a_segs[(py * s + px) * seg_max + t * ph.taps_x + u] =
              ((ty_max - 1 - t) * pw + (tx_max - 1 - u)) * co_n;
          b_segs[(py * s + px) * seg_max + t * ph.taps_x + u] = int64_t{t * ph.taps_x + u} * co_n * K.nr;
        }
    }

  // Sub-kernels packed [ci block][tap (t, u)][co][NR]: w[co][py+t*s][px+u*s][ci].
  float* wp = scratch.alloc_floats(std::max<int64_t>(wfloats, 1));
  for (int q = 0; q < s * s; ++q) {
    const Phase& ph = phases[q];
    for (int64_t cib = 0; cib < ncib; ++cib)
      for (int t = 0; t < ph.taps_y; ++t)
        for (int u = 0; u < ph.taps_x; ++u) {
          float* dst = wp + ph.w_offset + ((cib * ph.taps_y + t) * ph.taps_x + u) * co_n * K.nr;
          const int ky = ph.py + t * s, kx = ph.px + u * s;
          for (int64_t co = 0; co < co_n; ++co)
            for (int jj = 0; jj < K.nr; ++jj) {
              const int64_t ci = cib * K.nr + jj;
              dst[co * K.nr + jj] = ci < ci_n ? w[((co * kh + ky) * kw + kx) * ci_n + ci] : 0.0f;
            }
        }
  }

  const int64_t dx_img = p.in_h * p.in_w * ci_n;
  for_each_image(p.batch, tiles, pad, dy, oh * ow * co_n,
                 [&](int64_t n, const float* img, int64_t tb, int64_t te) {
    const float* rows[32];
    float* crow[32];
    float* dximg = dx + n * dx_img;
    int q = 0;
    for (int64_t tile = tb; tile < te; ++tile) {
      while (tile >= phases[q].tile0 + phases[q].tiles) ++q;
      const Phase& ph = phases[q];
      const int64_t first = (tile - ph.tile0) * K.mr;
      const int64_t m = std::min<int64_t>(K.mr, ph.jn * ph.in - first);
      for (int64_t r = 0; r < m; ++r) {
        const int64_t j = ph.j0 + (first + r) / ph.in, i = ph.i0 + (first + r) % ph.in;
        rows[r] = img + (j * pw + i) * co_n;
        crow[r] = dximg + ((s * j + ph.py - p.pad) * p.in_w + (s * i + ph.px - p.pad)) * ci_n;
      }
      const int segs = ph.taps_y * ph.taps_x;
      if (segs == 0) {  // no tap reaches these input pixels
        for (int64_t r = 0; r < m; ++r) std::fill(crow[r], crow[r] + ci_n, 0.0f);
        continue;
      }
      for (int64_t cib = 0; cib < ncib; ++cib) {
        float* cptr[32];
        for (int64_t r = 0; r < m; ++r) cptr[r] = crow[r] + cib * K.nr;
        ConvTileArgs t;
        t.m = m;
        t.n = std::min<int64_t>(K.nr, ci_n - cib * K.nr);
        t.segments = segs;
        t.a_seg = a_segs + q * seg_max;
        t.b_seg = b_segs + q * seg_max;
        t.k = co_n;
        t.a_rows = rows;
        t.a_stride_k = 1;
        t.b = wp + ph.w_offset + cib * segs * co_n * K.nr;
        t.b_stride_k = K.nr;
        t.c_rows = cptr;
        K.tile(t);
      }
    }
  });
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  if (phased_backward_data(p)) {
    // Tiles of one phase write pixels all over the image: reported at the end.
    backward_data_phased(p, dy, w, dx);
    if (observer != nullptr) observer->report_all();
    return;
  }
  const TransposedConv t = transposed_conv(p);
  ScratchScope scratch;
  const float* packed = pack_direct_backward_data_weights(p, w, scratch);
  implicit_forward(t.params, t.pad, dy, p.out_h() * p.out_w() * p.out_c, packed, dx, observer);
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const ConvKernels& K = kernels::conv_kernels();
  const ConvParams q = padded_params(p);
  const PadSpec pad = forward_pad(p);
  const int64_t c = p.in_c, in_g = p.in_per_group(), out_g = p.out_per_group();
  const int64_t oh = p.out_h(), ow = p.out_w(), wp = q.in_w, taps = p.taps();
  const int64_t rows_g = taps * in_g, nrb = (rows_g + K.mr - 1) / K.mr;
  const int64_t ncob = (out_g + K.nr - 1) / K.nr, items = p.groups * nrb;
  const int64_t chunks = wgrad_chunks(p.batch), part = p.groups * rows_g * out_g;
  const int64_t x_img = p.in_h * p.in_w * c, dy_img = oh * ow * p.out_c;
  ScratchScope scratch;
  float* partial = alloc_zeros(scratch, chunks * part);
  int64_t* a_seg = alloc_i64(scratch, oh);
  int64_t* b_seg = alloc_i64(scratch, oh);
  int64_t* toff = alloc_i64(scratch, taps);
  for (int64_t oy = 0; oy < oh; ++oy) {
    a_seg[oy] = oy * p.stride * wp * c;
    b_seg[oy] = oy * ow * p.out_c;
  }
  for (int ky = 0; ky < p.kernel_h; ++ky)
    for (int kx = 0; kx < p.kernel_w; ++kx)
      toff[ky * p.kernel_w + kx] = (int64_t{ky} * p.dilation * wp + int64_t{kx} * p.dilation) * c;

  auto run_items = [&](int64_t chunk, const float* img, const float* gimg, int64_t ib, int64_t ie) {
    const float* rows[32];
    for (int64_t item = ib; item < ie; ++item) {
      const int64_t g = item / nrb, r0 = (item % nrb) * K.mr, m = std::min<int64_t>(K.mr, rows_g - r0);
      for (int64_t i = 0; i < m; ++i)
        rows[i] = img + toff[(r0 + i) / in_g] + g * in_g + (r0 + i) % in_g;
      for (int64_t cob = 0; cob < ncob; ++cob) {
        ConvTileArgs t;
        t.m = m;
        t.n = std::min<int64_t>(K.nr, out_g - cob * K.nr);
        t.segments = oh;
        t.a_seg = a_seg;
        t.b_seg = b_seg;
        t.k = ow;
        t.a_rows = rows;
        t.a_stride_k = int64_t{p.stride} * c;
        t.b = gimg + g * out_g + cob * K.nr;
        t.b_stride_k = p.out_c;
        t.b_full = t.n == K.nr;
        t.c = partial + chunk * part + (g * rows_g + r0) * out_g + cob * K.nr;
        t.c_stride_m = out_g;
        t.accumulate = true;
        K.tile(t);
      }
    }
  };
  const bool copy = !pad.identity();
  if (p.batch >= num_threads()) {
    parallel_for(chunks, 1, [&](int64_t cb, int64_t ce) {
      ScratchScope s;
      float* buf = copy ? s.alloc_floats(pad.floats()) : nullptr;
      for (int64_t ch = cb; ch < ce; ++ch)
        for (int64_t n = p.batch * ch / chunks; n < p.batch * (ch + 1) / chunks; ++n) {
          if (copy) pad_image(pad, x + n * x_img, buf);
          run_items(ch, copy ? buf : x + n * x_img, dy + n * dy_img, 0, items);
        }
    });
  } else {
    float* buf = copy ? scratch.alloc_floats(pad.floats()) : nullptr;
    for (int64_t ch = 0; ch < chunks; ++ch)
      for (int64_t n = p.batch * ch / chunks; n < p.batch * (ch + 1) / chunks; ++n) {
        if (copy) pad_image(pad, x + n * x_img, buf);
        const float* img = copy ? buf : x + n * x_img;
        parallel_for(items, 1, [&](int64_t b, int64_t e) { run_items(ch, img, dy + n * dy_img, b, e); });
      }
  }
  // dw[g*out_g + co][tap][ci] = sum over chunks of partial[g][tap*in_g + ci][co].
  sum_partials_transposed(partial, chunks, p.out_c, out_g, rows_g, dw);
}

}  // namespace

int64_t direct_packed_floats(const ConvParams& p) {
  return p.groups * cout_blocks(p) * p.taps() * p.in_per_group() * kernels::conv_kernels().nr;
}

void pack_direct_weights(const ConvParams& p, const float* w, float* wpacked) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t in_g = p.in_per_group(), out_g = p.out_per_group(), ncob = cout_blocks(p);
  const int64_t k = p.taps() * in_g;  // (tap, ci) rows, same order as OHWI
  // Per group, the [out_g][k] weight matrix transposed into NR-wide k-major
  // panels, zero past out_g: the layout sgemm packs its A operand in, so its
  // packing routines (8x8 register transposes on AVX2 and up) do it.
  for (int64_t g = 0; g < p.groups; ++g) {
    GemmArgs a;
    a.m = out_g;
    a.k = k;
    a.a = w + g * out_g * k;
    a.lda = k;
    pack_a_panels(a, 0, out_g, 0, k, K.nr, K.isa, wpacked + g * ncob * k * K.nr);
  }
}

const float* pack_direct_backward_data_weights(const ConvParams& p, const float* w,
                                               ScratchScope& scratch) {
  const ConvParams q = transposed_conv(p).params;
  float* wt = scratch.alloc_floats(p.weight_numel());
  flip_transpose_weights(p, w, wt);
  float* packed = scratch.alloc_floats(direct_packed_floats(q));
  pack_direct_weights(q, wt, packed);
  return packed;
}

void direct_1x1_backward_data_rows(const ConvParams& p, const float* packed, const float* dy,
                                   float* dx, int64_t r0, int64_t r1, bool stream) {
  const ConvKernels& K = kernels::conv_kernels();
  // The transposed conv: dy's out_g channels in, dx's in_g out, per group.
  const int64_t in_g = p.in_per_group(), out_g = p.out_per_group();
  const int64_t ncob = (in_g + K.nr - 1) / K.nr, seg = 0;
  const float* rows[32];
  for (int64_t p0 = r0; p0 < r1; p0 += K.mr) {
    const int64_t m = std::min<int64_t>(K.mr, r1 - p0);
    for (int64_t g = 0; g < p.groups; ++g) {
      for (int64_t i = 0; i < m; ++i) rows[i] = dy + (p0 + i) * p.out_c + g * out_g;
      for (int64_t cob = 0; cob < ncob; ++cob) {
        ConvTileArgs t;
        t.m = m;
        t.n = std::min<int64_t>(K.nr, in_g - cob * K.nr);
        t.a_seg = &seg;
        t.b_seg = &seg;
        t.k = out_g;
        t.a_rows = rows;
        t.b = packed + (g * ncob + cob) * out_g * K.nr;
        t.b_stride_k = K.nr;
        t.c = dx + p0 * p.in_c + g * in_g + cob * K.nr;
        t.c_stride_m = p.in_c;
        t.stream = stream;
        K.tile(t);
      }
    }
  }
  if (stream) conv_stream_fence();
}

ConvAlgoImpl direct_algo() {
  return {ConvAlgo::kDirect, &applies, &forward, &backward_data, &backward_weights};
}

}  // namespace nas::ops::conv_detail
