// 1x1 convolution as one GEMM over every pixel of the batch: NHWC activations
// are already the [pixels][channels] matrix and OHWI weights its [out][in]
// partner. Stride > 1 gathers the sampled pixels into scratch first (and
// scatters dx back, zeros elsewhere). The weight gradient is not an sgemm:
// it is a reduction over every pixel, in fixed pixel chunks (backward_weights).
// The transformed passes (conv_gemm1x1.h) run the same loops over blocks of
// transformed pixels in thread scratch.
#include "ops/conv/conv_gemm1x1.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/gemm/sgemm.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {
namespace {

bool applies(const ConvParams& p) { return p.kernel_h == 1 && p.kernel_w == 1 && p.pad == 0; }

// Row r of the result is input pixel (n, oy*s, ox*s).
void subsample(const ConvParams& p, const float* x, float* xs) {
  const int64_t oh = p.out_h(), ow = p.out_w(), c = p.in_c;
  parallel_for(p.batch * oh, 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t n = r / oh, oy = r % oh;
      const float* src = x + ((n * p.in_h + oy * p.stride) * p.in_w) * c;
      float* dst = xs + r * ow * c;
      for (int64_t ox = 0; ox < ow; ++ox)
        std::memcpy(dst + ox * c, src + ox * p.stride * c, sizeof(float) * c);
    }
  });
}

// C[r0:r1] of the GEMM of every group: rows [r0, r1) of the output.
void gemm_rows(const GemmArgs& base, int64_t groups, int64_t r0, int64_t r1, int64_t a_group,
               int64_t b_group, int64_t c_group) {
  for (int64_t g = 0; g < groups; ++g) {
    GemmArgs args = base;
    args.m = r1 - r0;
    args.a = base.a + r0 * base.lda + g * a_group;
    args.b = base.b + g * b_group;
    args.c = base.c + r0 * base.ldc + g * c_group;
    sgemm(args);
  }
}

// Observed: the observer's blocks in parallel, each one sequential GEMM over
// its rows, reported at once while they are in cache (each C entry is
// summed in the same k order as by one GEMM over all rows: same bits).
void gemm_observed(GemmArgs base, int64_t groups, int64_t a_group, int64_t b_group,
                   int64_t c_group, RowBlockObserver* observer) {
  base.parallel = false;
  base.stream_c = false;
  parallel_for(observer->blocks(), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = observer->block_begin(b), r1 = observer->block_end(b);
      gemm_rows(base, groups, r0, r1, a_group, b_group, c_group);
      observer->report(r0, r1);
    }
  });
}

// Pixels per transformed block: ~96 KB of transformed input, which stays in
// L2 while the GEMM packs it (and is then overwritten by the next block).
int64_t transformed_block_pixels(int64_t in_c) {
  return std::max<int64_t>(16, (int64_t{96} << 10) / (int64_t{sizeof(float)} * in_c));
}

// y = conv(t(a)) for the pixels `a` (subsampled already): row blocks in
// parallel (the observer's when given, else ~transformed_block_pixels each),
// each transformed piece by piece into scratch and multiplied by one
// sequential GEMM per piece (the same k order per C entry as one GEMM over
// every row: the same bits).
void forward_transformed_rows(GemmArgs base, int64_t groups, int64_t a_group, int64_t b_group,
                              int64_t c_group, int64_t rows, int64_t in_c, const float* a,
                              const ConvInputTransform& t, RowBlockObserver* observer) {
  base.parallel = false;
  if (observer != nullptr) base.stream_c = false;
  const int64_t piece = transformed_block_pixels(in_c);
  const int64_t blocks = observer != nullptr ? observer->blocks() : (rows + piece - 1) / piece;
  auto begin = [&](int64_t b) { return observer != nullptr ? observer->block_begin(b) : rows * b / blocks; };
  auto end = [&](int64_t b) { return observer != nullptr ? observer->block_end(b) : rows * (b + 1) / blocks; };
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    ScratchScope scratch;
    float* xt = scratch.alloc_floats(piece * in_c);
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t r0 = begin(b); r0 < end(b); r0 += piece) {
        const int64_t r1 = std::min(end(b), r0 + piece);
        t.fn(t.ctx, a + r0 * in_c, r1 - r0, xt);
        for (int64_t g = 0; g < groups; ++g) {
          GemmArgs args = base;
          args.m = r1 - r0;
          args.a = xt + g * a_group;
          args.b = base.b + g * b_group;
          args.c = base.c + r0 * base.ldc + g * c_group;
          sgemm(args);
        }
      }
      if (observer != nullptr) observer->report(begin(b), end(b));
    }
  });
}

// `t` null: the plain forward.
void forward_impl(const ConvParams& p, const float* x, const ConvInputTransform* t, const float* w,
                  float* y, RowBlockObserver* observer) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  const float* a = x;
  if (p.stride != 1) {
    float* xs = scratch.alloc_floats(rows * p.in_c);
    subsample(p, x, xs);
    a = xs;
  }
  GemmArgs args;
  args.trans_b = Trans::kYes;
  args.n = out_g; args.k = in_g;
  args.a = a; args.lda = p.in_c;
  args.b = w; args.ldb = in_g;
  args.c = y; args.ldc = p.out_c;
  // Outputs beyond kStreamOutputBytes go straight to memory (unobserved).
  args.stream_c = rows * p.out_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  if (t != nullptr)
    return forward_transformed_rows(args, p.groups, in_g, out_g * in_g, out_g, rows, p.in_c, a, *t,
                                    observer);
  if (observer != nullptr)
    return gemm_observed(args, p.groups, in_g, out_g * in_g, out_g, observer);
  gemm_rows(args, p.groups, 0, rows, in_g, out_g * in_g, out_g);
}

void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  forward_impl(p, x, nullptr, w, y, observer);
}

// dx = dy x W (per group), the GEMM of backward_data over every output pixel
// (rows), writing to `d` with row stride in_c.
GemmArgs backward_data_args(const ConvParams& p, const float* dy, const float* w, float* d) {
  GemmArgs args;
  args.n = p.in_per_group(); args.k = p.out_per_group();
  args.a = dy; args.lda = p.out_c;
  args.b = w; args.ldb = p.in_per_group();
  args.c = d; args.ldc = p.in_c;
  return args;
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  float* d = p.stride == 1 ? dx : scratch.alloc_floats(rows * p.in_c);
  GemmArgs args = backward_data_args(p, dy, w, d);
  if (p.stride == 1 && observer != nullptr)
    return gemm_observed(args, p.groups, out_g, out_g * in_g, in_g, observer);
  args.stream_c = p.stride == 1 && rows * p.in_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  gemm_rows(args, p.groups, 0, rows, out_g, out_g * in_g, in_g);
  if (p.stride == 1) return;
  const int64_t oh = p.out_h(), ow = p.out_w(), c = p.in_c;
  parallel_for(p.batch * p.in_h, 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t n = r / p.in_h, iy = r % p.in_h;
      float* row = dx + r * p.in_w * c;
      std::memset(row, 0, sizeof(float) * p.in_w * c);
      if (iy % p.stride == 0 && iy / p.stride < oh) {
        const float* src = d + (n * oh + iy / p.stride) * ow * c;
        for (int64_t ox = 0; ox < ow; ++ox)
          std::memcpy(row + ox * p.stride * c, src + ox * c, sizeof(float) * c);
      }
      if (observer != nullptr) observer->report(r * p.in_w, (r + 1) * p.in_w);
    }
  });
}

// Weight gradient: dw[co][ci] = sum over pixels p of dy[p][co] * x[p][ci], a
// GEMM with a huge reduction (every pixel of the batch) and a small output.
// The pixels are split into a fixed number of chunks (a function of the
// pixel count only), each reduced by one thread into its own partial
// [rows][cols] matrix, and the partials are summed in chunk order: results
// are identical for any thread count, and each thread reads only its share
// of x and dy (an sgemm split over the output would read all of them once
// per thread). Inside a chunk, pixel blocks small enough to stay in L2 are
// swept by register tiles of the conv tile kernel, reading both operands in
// place (no packing): rows = channels of one operand (one broadcast each per
// pixel), columns = vectors of the other operand's channels, k = pixels.
// The wider channel dimension goes in the vectors.
constexpr int64_t kWgradPixelsPerChunk = 1024;
constexpr int64_t kWgradMaxChunks = 16;
// Pixels per block: the block's rows of x and dy (<= ~230 KB for 448
// channels in all) stay in L2 while every tile sweeps them. 128 measured
// a few % faster than 64, 192, 256 and 512 over the MBv2 shapes (1 thread).
constexpr int64_t kWgradBlockPixels = 128;
// gemm1x1_backward_fuses: x and dy together past this many bytes, where dy
// no longer stays in L3 between the two passes. Measured (ops/conv/README.md;
// backward-data by gemm1x1's GEMM): from 12.6 MB on the one pass was 8-23%
// faster on expanding shapes; at 8.4 MB and below even or up to 10% slower
// at 2 threads (its chunks split less evenly than the separate GEMM's rows).
constexpr int64_t kFusedBackwardMinBytes = int64_t{12} << 20;

int64_t wgrad_pixel_chunks(int64_t pixels) {
  int64_t chunks = std::clamp<int64_t>(pixels / kWgradPixelsPerChunk, 1, kWgradMaxChunks);
  // A multiple of 4 when there are enough: even shares for 2 and 4 threads.
  if (chunks > 4) chunks = chunks / 4 * 4;
  return chunks;
}

// Runs on each pixel block [q0, q1) of the weight gradient's chunk [p0, p1),
// on the thread that reduces the chunk (its blocks in order), right before
// the block's tiles read it.
using PixelBlockFn = std::function<void(int64_t q0, int64_t q1, int64_t p0, int64_t p1)>;

// `t` null: the plain weight gradient. Else each block of pixels of x is
// transformed into the thread's scratch right before the tiles read it (the
// same values in the same order: the same bits). `before_block` (optional):
// see PixelBlockFn.
void backward_weights_impl(const ConvParams& p, const float* x, const ConvInputTransform* t,
                           const float* dy, float* dw, const PixelBlockFn& before_block = {}) {
  const int64_t pixels = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  const float* xs = x;
  if (p.stride != 1) {
    float* sub = scratch.alloc_floats(pixels * p.in_c);
    subsample(p, x, sub);
    xs = sub;
  }
  // Tile rows broadcast channels of `a`, tile columns are vectors of `b`'s.
  const bool a_is_dy = in_g >= out_g;
  WgradBlock blk;
  blk.a = a_is_dy ? dy : xs;
  blk.b = a_is_dy ? xs : dy;
  blk.lda = a_is_dy ? p.out_c : p.in_c;
  blk.ldb = a_is_dy ? p.in_c : p.out_c;
  blk.groups = p.groups;
  blk.rows = a_is_dy ? out_g : in_g;
  blk.cols = a_is_dy ? in_g : out_g;
  const int64_t part = p.groups * blk.rows * blk.cols;
  const int64_t chunks = wgrad_pixel_chunks(pixels);
  float* partial = scratch.alloc_floats(chunks * part);
  parallel_for(chunks, 1, [&](int64_t cb, int64_t ce) {
    ScratchScope block_scratch;
    float* xt = t != nullptr ? block_scratch.alloc_floats(kWgradBlockPixels * p.in_c) : nullptr;
    for (int64_t ch = cb; ch < ce; ++ch) {
      const int64_t p0 = pixels * ch / chunks, p1 = pixels * (ch + 1) / chunks;
      for (int64_t q0 = p0; q0 < p1; q0 += kWgradBlockPixels) {
        WgradBlock w = blk;
        w.k = std::min(kWgradBlockPixels, p1 - q0);
        w.a = blk.a + q0 * blk.lda;
        w.b = blk.b + q0 * blk.ldb;
        w.c = partial + ch * part;
        w.accumulate = q0 != p0;
        w.next_k = std::min(kWgradBlockPixels, p1 - q0 - w.k);
        if (w.next_k > 0) {
          w.next_a = w.a + w.k * blk.lda;
          w.next_b = w.b + w.k * blk.ldb;
        }
        if (before_block) before_block(q0, q0 + w.k, p0, p1);
        if (xt != nullptr) {
          // The next raw block stays the prefetch target (it is read next).
          t->fn(t->ctx, xs + q0 * p.in_c, w.k, xt);
          (a_is_dy ? w.b : w.a) = xt;
        }
        wgrad_block(w);
      }
    }
  });
  // dw[g*out_g + co][ci]: partial[g][co][ci] when a is dy, else partial[g][ci][co].
  if (a_is_dy) sum_partials(partial, chunks, part, dw);
  else sum_partials_transposed(partial, chunks, p.out_c, out_g, in_g, dw);
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  backward_weights_impl(p, x, nullptr, dy, dw);
}

// gemm1x1_backward_fused: the dx rows of each weight-gradient block (by
// `dx_algo`'s arithmetic: gemm1x1's GEMM, whose rows in any split are the
// same bits as one GEMM over all rows, or direct's tiles) written right
// before the block's tiles run, so the tiles find dy's rows in L1/L2 and
// prefetch the next block's dy and x while the next dx rows wait on them.
// The weight gradient keeps its chunks and blocks: both results are the two
// passes' bits.
void backward_fused_impl(const ConvParams& p, ConvAlgo dx_algo, const float* x,
                         const ConvInputTransform* t, const float* dy, const float* w, float* dx,
                         float* dw, RowBlockObserver* observer) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  const bool stream =
      observer == nullptr && rows * p.in_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  std::function<void(int64_t, int64_t)> dx_rows;
  GemmArgs args = backward_data_args(p, dy, w, dx);
  args.parallel = false;
  args.stream_c = stream;
  ScratchScope scratch;
  if (dx_algo == ConvAlgo::kGemm1x1) {
    dx_rows = [&](int64_t q0, int64_t q1) {
      gemm_rows(args, p.groups, q0, q1, out_g, out_g * in_g, in_g);
    };
  } else {
    const float* packed = pack_direct_backward_data_weights(p, w, scratch);
    dx_rows = [&, packed](int64_t q0, int64_t q1) {
      direct_1x1_backward_data_rows(p, packed, dy, dx, q0, q1, stream);
    };
  }
  // Direct's tiles run whole from the chunk's start (rows [q0, q1) rounded
  // up to the tile height; the last tile ahead of the block reads the next
  // block's dy, which the block's tiles prefetch anyway): a 128-pixel block
  // would otherwise end in a part tile of 8 of 12 rows.
  const int64_t step = dx_algo == ConvAlgo::kDirect ? kernels::conv_kernels().mr : 1;
  auto tile_end = [&](int64_t q, int64_t p0, int64_t p1) {
    return std::min(p1, p0 + (q - p0 + step - 1) / step * step);
  };
  backward_weights_impl(p, x, t, dy, dw, [&](int64_t q0, int64_t q1, int64_t p0, int64_t p1) {
    const int64_t r0 = tile_end(q0, p0, p1), r1 = tile_end(q1, p0, p1);
    if (r1 <= r0) return;
    dx_rows(r0, r1);
    if (observer != nullptr) observer->report(r0, r1);
  });
}

}  // namespace

ConvAlgoImpl gemm1x1_algo() {
  return {ConvAlgo::kGemm1x1, &applies, &forward, &backward_data, &backward_weights};
}

void gemm1x1_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                 const float* w, float* y, RowBlockObserver* observer) {
  NAS_CHECK(applies(p));
  forward_impl(p, x, &t, w, y, observer);
}

bool gemm1x1_backward_fuses(const ConvParams& p) {
  const int64_t x_floats = p.input_shape().numel(), dy_floats = p.output_shape().numel();
  // The saving is one read of dy: when dy is the smaller tensor (a projecting
  // conv) it was within +-3% either way (ops/conv/README.md), so not taken.
  return applies(p) && p.stride == 1 && dy_floats >= x_floats &&
         int64_t{sizeof(float)} * (x_floats + dy_floats) > kFusedBackwardMinBytes;
}

bool gemm1x1_backward_fused(const ConvParams& p, ConvAlgo dx_algo, const float* x,
                            const ConvInputTransform* t, const float* dy, const float* w, float* dx,
                            float* dw, RowBlockObserver* observer) {
  if (!gemm1x1_backward_fuses(p) || (dx_algo != ConvAlgo::kGemm1x1 && dx_algo != ConvAlgo::kDirect))
    return false;
  backward_fused_impl(p, dx_algo, x, t, dy, w, dx, dw, observer);
  return true;
}

void gemm1x1_backward_weights_transformed(const ConvParams& p, const float* x,
                                          const ConvInputTransform& t, const float* dy, float* dw) {
  NAS_CHECK(applies(p));
  backward_weights_impl(p, x, &t, dy, dw);
}

}  // namespace nas::ops::conv_detail
