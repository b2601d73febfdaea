// Winograd for 3x3 stride-2 convolutions, through their stride phases.
//
// Forward: split the padded input into its four stride phases
// P[Y][X][(py, px, c)] = x[2Y + py - pad][2X + px - pad][c]; then
//   y[oy][ox] = sum_{a, b in {0, 1}} P[oy + a][ox + b] . W2[a][b]
// with W2[a][b][(py, px, c)] = w[2a + py][2b + px][c] (0 past tap 2): a 2x2
// stride-1 conv with 4*in_c input channels.
// Backward-data: dx split into its phases, dx[2Y + py][2X + px][c], is the
// same kind of conv of dy, with 4*in_c output channels:
//   dxph[Y][X][(py, px, c)] = sum_{a, b} dy[Y + a + d0][X + b + d0] . w[.][ky][kx][c]
// with ky = py + pad - 2(a + d0) (0 outside [0, 2]); d0 is the smallest
// row offset any phase needs (-1 for pad 0, 0 for pad 1 and 2, ...).
// Either conv runs as Winograd F(7x7,2x2) (8x8 tiles, points 0, +-1, +-2,
// +-1/2, inf): 64 products per 49 outputs for 4 phases, 5.2 multiplies per
// output and input channel against direct's 9. The transforms read each
// tile's inputs and write its outputs where they are (runs of channels by
// pointer), so the phase split copies nothing. Each thread takes an equal
// share of the tiles, in chunks whose transformed inputs V and products M fit
// in L2 (gather, transform, the 64 per-point GEMMs, inverse transform,
// scatter); the GEMMs' tile kernels prefetch the next chunk's inputs and this
// chunk's outputs. Transformed weights are 64/9 of the kernel's size (and
// 16/9 again for the zero phase taps) and are read from L3 once per chunk.
// Backward-weights is the transposed Winograd F(2x2,7x7) of the same 2x2
// conv (see backward_weights).
#include <algorithm>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/conv/conv_scratch.h"
#include "ops/core/parallel.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {
namespace {

using kernels::ConvKernels;

constexpr int kPoints = 64;  // 8x8 transformed points per tile
constexpr int kOut = 7;      // 7x7 outputs per tile
// V and M of a chunk of tiles: within this, so they stay in L2.
constexpr int64_t kChunkBytes = int64_t{768} << 10;
constexpr int64_t kPlanePad = 16;  // floats: one cache line
// A chunk's output rows are prefetched during its last 32 point GEMMs (the
// next chunk's inputs during the first 32).
constexpr int64_t kOutPrefetchPoints = 32;

// The transformed weights (and the weight gradient's per-point sums) are
// 64 x 4*in_c x out_c floats: beyond 32 MiB (in_c * out_c > 32768) they
// would not stay in L3, and each call would allocate that much.
constexpr int64_t kMaxChannelProduct = 32768;

bool applies(const ConvParams& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride == 2 && p.dilation == 1 && p.groups == 1 &&
         p.in_c * p.out_c <= kMaxChannelProduct;
}

// u[cob][xi][ki][NR] = (G g G^T)[xi] for g = kernel(co = cob*NR + j, ., ., ki),
// the 2x2 kernel of a conv with k inputs and n outputs (0 past n).
template <typename Kernel>
void transform_weights(int64_t k, int64_t n, Kernel kernel, float* u) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t ncob = (n + K.nr - 1) / K.nr;
  parallel_for(ncob * k, 1, [&](int64_t b, int64_t e) {
    float g[4 * 64];
    for (int64_t item = b; item < e; ++item) {
      const int64_t cob = item / k, ki = item % k;
      for (int j = 0; j < K.nr; ++j) {
        const int64_t co = cob * K.nr + j;
        for (int t = 0; t < 4; ++t) g[t * K.nr + j] = co < n ? kernel(co, t / 2, t % 2, ki) : 0.0f;
      }
      kernels::Wino8WeightArgs wa;
      wa.g = g;
      wa.u = u + (cob * kPoints * k + ki) * K.nr;
      wa.u_plane = k * K.nr;
      K.wino8_weights(wa);
    }
  });
}

// The memory a run of tiles reads (or writes) in one NHWC tensor: tile rows
// y0 touch image rows [scale*y0 + offset, + height), clamped to the image;
// tiles [t0, t1) (row-major, images in turn) lie within one contiguous
// range, from the first tile's first row to the last tile's last row.
struct RowSpan {
  const float* base = nullptr;
  int64_t rows = 0, row_floats = 0;
  int64_t scale = 1, offset = 0, height = 0;
  // The 64-byte lines of tiles [t0, t1) (per_image tiles to an image, tw to
  // a row of tiles): their count, and the first at *p.
  int64_t lines(int64_t t0, int64_t t1, int64_t per_image, int64_t tw, const float** p) const {
    auto row = [&](int64_t tile, int64_t extra) {
      const int64_t img = tile / per_image, y0 = tile % per_image / tw * kOut;
      return img * rows + std::clamp<int64_t>(scale * y0 + offset + extra, 0, rows);
    };
    const int64_t lo = row(t0, 0) * row_floats, hi = row(t1 - 1, height) * row_floats;
    const int64_t first = lo / 16 * 16;
    *p = base + first;
    return hi > first ? (hi - first + 15) / 16 : 0;
  }
};

// A 2x2 stride-1 conv (k input, n output channels, oh x ow outputs per image)
// over a virtual input. Each point's k inputs are in_segs runs: gather(image,
// Y0, X0, zeros, src) points src[p*in_segs + s] at run s of the tile's input
// point p (8x8 from row Y0, column X0), or at `zeros`; each point's n outputs
// are out_segs runs: scatter(image, Y0, X0, trash, dst) points dst[p*out_segs
// + s] at where run s of output point p (7x7) goes, or at `trash`. in_span and
// out_span cover those runs (for prefetching).
template <typename Gather, typename Scatter>
void wino8_run(int64_t batch, int64_t oh, int64_t ow, int64_t k, int64_t n, int64_t in_segs,
               int64_t out_segs, const float* u, Gather gather, Scatter scatter,
               const RowSpan& in_span, const RowSpan& out_span) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t tw = (ow + kOut - 1) / kOut, per_image = (oh + kOut - 1) / kOut * tw;
  const int64_t total = batch * per_image;
  // Each thread takes an equal share of the tiles (a tile's outputs do not
  // depend on which chunk it is in), cut into chunks of at most tmax tiles
  // (at least one tile kernel's rows) of near-equal size.
  const int64_t tmax = std::max<int64_t>(
      K.mr, kChunkBytes / (int64_t{sizeof(float)} * kPoints * (k + n)) / K.mr * K.mr);
  const int64_t threads = std::min<int64_t>(num_threads(), total);
  const int64_t ncob = (n + K.nr - 1) / K.nr;
  parallel_for(threads, 1, [&](int64_t pb, int64_t pe) {
    const int64_t first = total * pb / threads, len = total * pe / threads - first;
    const int64_t nchunks = (len + tmax - 1) / tmax, tc = (len + nchunks - 1) / nchunks;
    auto chunk_begin = [&](int64_t ch) { return first + len * ch / nchunks; };
    ScratchScope s;
    // Point planes one cache line more than the chunk's rows: cnt*k floats
    // apart (12 KB for 12 tiles of 256 channels) the 64 stores or loads of
    // a tile's transform would fall on a few cache sets.
    float* v = s.alloc_floats(kPoints * (tc * k + kPlanePad));
    float* m = s.alloc_floats(kPoints * (tc * n + kPlanePad));
    float* zeros = alloc_zeros(s, k / in_segs);
    float* trash = s.alloc_floats(n / out_segs);
    // The input runs of a chunk's tiles, and where their outputs go.
    const int64_t set = kPoints * in_segs, seg_c = k / in_segs;
    const float** src = reinterpret_cast<const float**>(alloc_i64(s, set));
    const int64_t out_set = kOut * kOut * out_segs, seg_n = n / out_segs;
    float** dst = reinterpret_cast<float**>(alloc_i64(s, out_set));
    auto origin = [&](int64_t tile, int64_t* img, int64_t* y0, int64_t* x0) {
      const int64_t r = tile % per_image;
      *img = tile / per_image;
      *y0 = r / tw * kOut;
      *x0 = r % tw * kOut;
    };
    for (int64_t chunk = 0; chunk < nchunks; ++chunk) {
      const int64_t t0 = chunk_begin(chunk), cnt = chunk_begin(chunk + 1) - t0;
      for (int64_t i = 0; i < cnt; ++i) {
        int64_t img, y0, x0;
        origin(t0 + i, &img, &y0, &x0);
        gather(img, y0, x0, zeros, src);
        kernels::Wino8InArgs in;
        in.src = src;
        in.segs = in_segs;
        in.seg_c = seg_c;
        in.v = v + i * k;
        in.v_plane = cnt * k + kPlanePad;
        K.wino8_input(in);
      }
      // During the GEMMs, the next chunk's inputs (its transforms would
      // otherwise wait on a tile's 64 scattered pixels one by one), then
      // this chunk's outputs (the output transform would stall on each
      // store's read-for-ownership): whole row ranges, a line per k step.
      // The outputs come during the last kOutPrefetchPoints points, when the
      // early points' V lines (the least recently used) are dead.
      WinoPrefetch in_pf, out_pf;
      if (chunk + 1 < nchunks)
        in_pf.lines = in_span.lines(t0 + cnt, chunk_begin(chunk + 2), per_image, tw, &in_pf.ptr);
      out_pf.lines = out_span.lines(t0, t0 + cnt, per_image, tw, &out_pf.ptr);
      const int64_t calls = ncob * ((cnt + K.mr - 1) / K.mr);  // tile calls per point
      const int64_t in_points = kPoints - kOutPrefetchPoints;
      in_pf.per_call = (in_pf.lines + in_points * calls - 1) / (in_points * calls);
      out_pf.per_call = (out_pf.lines + kOutPrefetchPoints * calls - 1) / (kOutPrefetchPoints * calls);
      // The 64 products V[xi] (cnt x k) * U[xi] (k x n).
      for (int64_t xi = 0; xi < kPoints; ++xi)
        wino_point_product(kPoints, xi, v, cnt * k + kPlanePad, cnt, k, u, n, m, cnt * n + kPlanePad,
                           xi < in_points ? &in_pf : &out_pf);
      for (int64_t i = 0; i < cnt; ++i) {
        int64_t img, y0, x0;
        origin(t0 + i, &img, &y0, &x0);
        scatter(img, y0, x0, trash, dst);
        kernels::Wino8OutArgs o;
        o.m = m + i * n;
        o.m_plane = cnt * n + kPlanePad;
        o.dst = dst;
        o.segs = out_segs;
        o.seg_c = seg_n;
        K.wino8_output(o);
      }
    }
  });
}

// src[pt*4 + py*2 + px] = the in_c channels of stride phase (py, px) of
// point pt (8x8, row-major) of the phase grid's tile at (y0, x0), that is
// pixel (2(y0 + i) + py - pad, 2(x0 + j) + px - pad) of `img`, or `zeros`.
void phase_pointers(const ConvParams& p, const float* img, int64_t y0, int64_t x0,
                    const float* zeros, const float** src) {
  for (int i = 0; i < 8; ++i)
    for (int py = 0; py < 2; ++py) {
      const int64_t iy = 2 * (y0 + i) + py - p.pad;
      const bool row_in = iy >= 0 && iy < p.in_h;
      for (int j = 0; j < 8; ++j)
        for (int px = 0; px < 2; ++px) {
          const int64_t ix = 2 * (x0 + j) + px - p.pad;
          src[(i * 8 + j) * 4 + py * 2 + px] =
              row_in && ix >= 0 && ix < p.in_w ? img + (iy * p.in_w + ix) * p.in_c : zeros;
        }
    }
}

void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  const int nr = kernels::conv_kernels().nr;
  const int64_t c = p.in_c, k = 4 * c, n = p.out_c, oh = p.out_h(), ow = p.out_w();
  ScratchScope scratch;
  float* u = scratch.alloc_floats((n + nr - 1) / nr * kPoints * k * nr);
  // off[ki*4 + a*2 + b]: where W2[a][b][ki] is in an output channel's 3x3xc
  // weights, or -1 for a zero tap (a table: no division per weight).
  int64_t* off = alloc_i64(scratch, k * 4);
  for (int64_t ki = 0; ki < k; ++ki)
    for (int t = 0; t < 4; ++t) {
      const int64_t q = ki / c, ci = ki % c, ky = 2 * (t / 2) + q / 2, kx = 2 * (t % 2) + q % 2;
      off[ki * 4 + t] = ky > 2 || kx > 2 ? -1 : (ky * 3 + kx) * c + ci;
    }
  transform_weights(k, n, [&](int64_t co, int a, int b, int64_t ki) {
    const int64_t o = off[ki * 4 + a * 2 + b];
    return o < 0 ? 0.0f : w[co * 9 * c + o];
  }, u);
  const int64_t x_img = p.in_h * p.in_w * c;
  auto gather = [&](int64_t img, int64_t y0, int64_t x0, const float* zeros, const float** src) {
    phase_pointers(p, x + img * x_img, y0, x0, zeros, src);
  };
  auto scatter = [&](int64_t img, int64_t y0, int64_t x0, float* trash, float** dst) {
    for (int i = 0; i < kOut; ++i)
      for (int j = 0; j < kOut; ++j)
        dst[i * kOut + j] = y0 + i < oh && x0 + j < ow ? y + ((img * oh + y0 + i) * ow + x0 + j) * n : trash;
  };
  RowSpan in_span{x, p.in_h, p.in_w * c, 2, -p.pad, 16};
  RowSpan out_span{y, oh, ow * n, 1, 0, kOut};
  wino8_run(p.batch, oh, ow, k, n, 4, 1, u, gather, scatter, in_span, out_span);
  if (observer != nullptr) observer->report_all();
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  const int nr = kernels::conv_kernels().nr;
  const int64_t c = p.in_c, k = p.out_c, n = 4 * c, oh = p.out_h(), ow = p.out_w();
  // d0: the smallest (py + pad - ky) / 2 over taps of matching parity.
  int d0 = p.pad + 1;
  for (int py = 0; py < 2; ++py)
    for (int ky = 0; ky < 3; ++ky)
      if ((py + p.pad - ky) % 2 == 0) d0 = std::min(d0, (py + p.pad - ky) / 2);
  ScratchScope scratch;
  float* u = scratch.alloc_floats((n + nr - 1) / nr * kPoints * k * nr);
  // off[no*4 + a*2 + b]: where the tap of dx channel no (phase, channel)
  // through (a, b) is in an input channel's 3x3xc weights, or -1.
  int64_t* off = alloc_i64(scratch, n * 4);
  for (int64_t no = 0; no < n; ++no)
    for (int t = 0; t < 4; ++t) {
      const int64_t q = no / c, ci = no % c;
      const int64_t ky = q / 2 + p.pad - 2 * (t / 2 + d0), kx = q % 2 + p.pad - 2 * (t % 2 + d0);
      off[no * 4 + t] = ky < 0 || ky > 2 || kx < 0 || kx > 2 ? -1 : (ky * 3 + kx) * c + ci;
    }
  transform_weights(k, n, [&](int64_t no, int a, int b, int64_t co) {
    const int64_t o = off[no * 4 + a * 2 + b];
    return o < 0 ? 0.0f : w[co * 9 * c + o];
  }, u);
  const int64_t dy_img = oh * ow * k, gh = (p.in_h + 1) / 2, gw = (p.in_w + 1) / 2;
  auto gather = [&](int64_t img, int64_t y0, int64_t x0, const float* zeros, const float** src) {
    const float* base = dy + img * dy_img;
    for (int i = 0; i < 8; ++i) {
      const int64_t oy = y0 + i + d0;
      const bool row_in = oy >= 0 && oy < oh;
      for (int j = 0; j < 8; ++j) {
        const int64_t ox = x0 + j + d0;
        src[i * 8 + j] = row_in && ox >= 0 && ox < ow ? base + (oy * ow + ox) * k : zeros;
      }
    }
  };
  auto scatter = [&](int64_t img, int64_t y0, int64_t x0, float* trash, float** dst) {
    float* base = dx + img * p.in_h * p.in_w * c;
    for (int i = 0; i < kOut; ++i)
      for (int j = 0; j < kOut; ++j)
        for (int py = 0; py < 2; ++py)
          for (int px = 0; px < 2; ++px) {
            const int64_t iy = 2 * (y0 + i) + py, ix = 2 * (x0 + j) + px;
            dst[(i * kOut + j) * 4 + py * 2 + px] =
                iy < p.in_h && ix < p.in_w ? base + (iy * p.in_w + ix) * c : trash;
          }
  };
  RowSpan in_span{dy, oh, ow * k, 1, d0, 8};
  RowSpan out_span{dx, p.in_h, p.in_w * c, 2, 0, 2 * kOut};
  wino8_run(p.batch, gh, gw, k, n, 1, 4, u, gather, scatter, in_span, out_span);
  if (observer != nullptr) observer->report_all();
}

// The forward's 2x2 conv has weight gradient
//   dW2[co][a][b][ki] = sum over images, Y, X of dy[Y][X][co] P[Y + a][X + b][ki],
// per tile F(2x2,7x7): G^T [(A dy A^T) . (B^T P B)] G, with the sum over
// tiles taken before G^T . G: per point xi, S[xi] (k x n) = sum over tiles of
// V[xi]^T D[xi], a GEMM whose k loop runs over tiles. Tiles go in chunks of
// a size fixed by the shape (V and D of a chunk within kWgradChunkBytes);
// each S[xi] is one thread's, accumulated chunk after chunk, so the sums run
// in the same order on any number of threads. dw[co][2a + py][2b + px][c] =
// dW2[co][a][b][(py, px, c)] (taps past 2 are the phases' zero padding).
constexpr int64_t kWgradChunkBytes = int64_t{4} << 20;
constexpr int64_t kWgradRows = 8;

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t c = p.in_c, k = 4 * c, n = p.out_c, oh = p.out_h(), ow = p.out_w();
  const int64_t tw = (ow + kOut - 1) / kOut, per_image = (oh + kOut - 1) / kOut * tw;
  const int64_t total = p.batch * per_image, x_img = p.in_h * p.in_w * c;
  // Chunks of equal size (a last chunk of a few tiles would cost a whole
  // read and write of the sums).
  const int64_t tmax = std::clamp<int64_t>(
      kWgradChunkBytes / (int64_t{sizeof(float)} * kPoints * (k + n)), 1, total);
  const int64_t chunks = (total + tmax - 1) / tmax, tc = (total + chunks - 1) / chunks;
  ScratchScope scratch;
  float* v = scratch.alloc_floats(kPoints * (tc * k + kPlanePad));
  float* d = scratch.alloc_floats(kPoints * (tc * n + kPlanePad));
  // One cache line between the points' sums: planes a power of two apart
  // (128 KB at 256 x 128) would all map to one cache set, and the final
  // transform reads the 64 planes side by side.
  const int64_t s_plane = k * n + 16;
  float* sum = scratch.alloc_floats(kPoints * s_plane);
  const int64_t ncob = (n + K.nr - 1) / K.nr;
  for (int64_t t0 = 0; t0 < total; t0 += tc) {
    const int64_t cnt = std::min(tc, total - t0);
    const int64_t v_plane = cnt * k + kPlanePad, d_plane = cnt * n + kPlanePad;
    parallel_for(cnt, 1, [&](int64_t b, int64_t e) {
      ScratchScope s;
      float* zeros = alloc_zeros(s, std::max(c, n));
      // The runs of x (4 phases per point) and dy of a tile; the next tile's
      // are computed and their lines prefetched before this one's transforms.
      constexpr int64_t kSet = kPoints * 4 + kOut * kOut;
      const float** runs[2] = {reinterpret_cast<const float**>(alloc_i64(s, kSet)),
                               reinterpret_cast<const float**>(alloc_i64(s, kSet))};
      auto tile_runs = [&](int64_t i, const float** src) {
        const int64_t tile = t0 + i, img = tile / per_image, r = tile % per_image;
        const int64_t y0 = r / tw * kOut, x0 = r % tw * kOut;
        phase_pointers(p, x + img * x_img, y0, x0, zeros, src);
        const float* dimg = dy + img * oh * ow * n;
        for (int a = 0; a < kOut; ++a)
          for (int bb = 0; bb < kOut; ++bb)
            src[kPoints * 4 + a * kOut + bb] =
                y0 + a < oh && x0 + bb < ow ? dimg + ((y0 + a) * ow + x0 + bb) * n : zeros;
      };
      tile_runs(b, runs[0]);
      for (int64_t i = b; i < e; ++i) {
        const float** src = runs[(i - b) % 2];
        if (i + 1 < e) {
          const float** next = runs[(i - b + 1) % 2];
          tile_runs(i + 1, next);
          for (int64_t r = 0; r < kPoints * 4; ++r)
            for (int64_t f = 0; f < c; f += 16) __builtin_prefetch(next[r] + f, 0, 2);
          for (int64_t r = kPoints * 4; r < kSet; ++r)
            for (int64_t f = 0; f < n; f += 16) __builtin_prefetch(next[r] + f, 0, 2);
        }
        kernels::Wino8InArgs in;
        in.src = src;
        in.segs = 4;
        in.seg_c = c;
        in.v = v + i * k;
        in.v_plane = v_plane;
        K.wino8_input(in);
        in.src = src + kPoints * 4;
        in.segs = 1;
        in.seg_c = n;
        in.v = d + i * n;
        in.v_plane = d_plane;
        K.wino8_dy(in);
      }
    });
    // S[xi] (+)= V[xi]^T D[xi]: rows are k channels (adjacent floats of V's
    // tile rows), columns n, the k loop the chunk's tiles.
    parallel_for(kPoints, 1, [&](int64_t b, int64_t e) {
      for (int64_t xi = b; xi < e; ++xi)
        for (int64_t r0 = 0; r0 < k; r0 += K.mr) {
          const float* arow = v + xi * v_plane + r0;
          for (int64_t cob = 0; cob < ncob; ++cob) {
            kernels::ConvTileArgs t;
            t.m = std::min<int64_t>(K.mr, k - r0);
            t.n = std::min<int64_t>(K.nr, n - cob * K.nr);
            t.k = cnt;
            t.a_rows = &arow;
            t.a_contiguous = true;
            t.a_stride_k = k;
            t.b = d + xi * d_plane + cob * K.nr;
            t.b_stride_k = n;
            t.b_full = t.n == K.nr;
            t.c = sum + xi * s_plane + r0 * n + cob * K.nr;
            t.c_stride_m = n;
            t.accumulate = t0 > 0;
            K.tile(t);
          }
        }
    });
  }
  // G^T S G for blocks of kWgradRows rows of S: each point's rows of a block
  // are one run (long streams for the prefetchers, 64 of them side by side).
  const int64_t kblocks = (k + kWgradRows - 1) / kWgradRows;
  parallel_for(kblocks, 1, [&](int64_t b, int64_t e) {
    ScratchScope s;
    float* out = s.alloc_floats(4 * kWgradRows * n);
    for (int64_t kb = b; kb < e; ++kb) {
      const int64_t k0 = kb * kWgradRows, kc = std::min(kWgradRows, k - k0);
      kernels::Wino8WgradArgs wa;
      wa.s = sum + k0 * n;
      wa.s_plane = s_plane;
      wa.len = kc * n;
      wa.out = out;
      wa.out_plane = kc * n;
      K.wino8_wgrad(wa);
      for (int64_t r = 0; r < kc; ++r) {
        const int64_t ki = k0 + r, q = ki / c, ci = ki % c;
        for (int t = 0; t < 4; ++t) {
          const int64_t ky = 2 * (t / 2) + q / 2, kx = 2 * (t % 2) + q % 2;
          if (ky > 2 || kx > 2) continue;
          const float* o = out + t * kc * n + r * n;
          for (int64_t co = 0; co < n; ++co) dw[((co * 3 + ky) * 3 + kx) * c + ci] = o[co];
        }
      }
    }
  });
}

}  // namespace

ConvAlgoImpl winograd_s2_algo() {
  return {ConvAlgo::kWinogradS2, &applies, &forward, &backward_data, &backward_weights};
}

}  // namespace nas::ops::conv_detail
