// im2col + GEMM: per image and group, the receptive fields become the rows of
// a [pixels][taps*in_g] matrix (OHWI weights are already its transposed
// partner), and each pass is one sgemm. Batch >= threads runs images in
// parallel with serial GEMMs; otherwise images run in turn with parallel GEMMs.
#include <algorithm>
#include <cstring>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/conv/conv_scratch.h"
#include "ops/core/parallel.h"
#include "ops/gemm/sgemm.h"

namespace nas::ops::conv_detail {
namespace {

int64_t col_k(const ConvParams& p) { return p.taps() * p.in_per_group(); }

// col[pix][(tap, ci)] = x[group g] at the tap's input position, 0 in padding.
void im2col(const ConvParams& p, const float* img, int64_t g, float* col) {
  const int64_t in_g = p.in_per_group(), oh = p.out_h(), ow = p.out_w(), k = col_k(p);
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      float* row = col + (oy * ow + ox) * k;
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        const int64_t iy = oy * p.stride - p.pad + int64_t{ky} * p.dilation;
        for (int kx = 0; kx < p.kernel_w; ++kx) {
          const int64_t ix = ox * p.stride - p.pad + int64_t{kx} * p.dilation;
          float* dst = row + (ky * p.kernel_w + kx) * in_g;
          if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w)
            std::memset(dst, 0, sizeof(float) * in_g);
          else
            std::memcpy(dst, img + (iy * p.in_w + ix) * p.in_c + g * in_g, sizeof(float) * in_g);
        }
      }
    }
}

// dx[group g] += scatter of col (the adjoint of im2col).
void col2im(const ConvParams& p, const float* col, int64_t g, float* img) {
  const int64_t in_g = p.in_per_group(), oh = p.out_h(), ow = p.out_w(), k = col_k(p);
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      const float* row = col + (oy * ow + ox) * k;
      for (int ky = 0; ky < p.kernel_h; ++ky) {
        const int64_t iy = oy * p.stride - p.pad + int64_t{ky} * p.dilation;
        if (iy < 0 || iy >= p.in_h) continue;
        for (int kx = 0; kx < p.kernel_w; ++kx) {
          const int64_t ix = ox * p.stride - p.pad + int64_t{kx} * p.dilation;
          if (ix < 0 || ix >= p.in_w) continue;
          const float* src = row + (ky * p.kernel_w + kx) * in_g;
          float* dst = img + (iy * p.in_w + ix) * p.in_c + g * in_g;
          for (int64_t i = 0; i < in_g; ++i) dst[i] += src[i];
        }
      }
    }
}

// Runs fn(image, parallel_gemm) for every image: images across threads when
// there are enough of them, else in turn with parallel GEMMs.
template <typename Fn>
void over_images(int64_t batch, Fn fn) {
  if (batch >= num_threads()) {
    parallel_for(batch, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) fn(n, false);
    });
  } else {
    for (int64_t n = 0; n < batch; ++n) fn(n, true);
  }
}

bool applies(const ConvParams&) { return true; }

void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  const int64_t pixels = p.out_h() * p.out_w(), k = col_k(p), out_g = p.out_per_group();
  over_images(p.batch, [&](int64_t n, bool par) {
    ScratchScope scratch;
    float* col = scratch.alloc_floats(pixels * k);
    for (int64_t g = 0; g < p.groups; ++g) {
      im2col(p, x + n * p.in_h * p.in_w * p.in_c, g, col);
      GemmArgs a;
      a.trans_b = Trans::kYes;
      a.m = pixels; a.n = out_g; a.k = k;
      a.a = col; a.lda = k;
      a.b = w + g * out_g * k; a.ldb = k;
      a.c = y + n * pixels * p.out_c + g * out_g; a.ldc = p.out_c;
      a.parallel = par;
      sgemm(a);
    }
    if (observer != nullptr) observer->report(n * pixels, (n + 1) * pixels);
  });
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  const int64_t pixels = p.out_h() * p.out_w(), k = col_k(p), out_g = p.out_per_group();
  const int64_t x_img = p.in_h * p.in_w * p.in_c;
  over_images(p.batch, [&](int64_t n, bool par) {
    ScratchScope scratch;
    float* col = scratch.alloc_floats(pixels * k);
    float* img = dx + n * x_img;
    std::memset(img, 0, sizeof(float) * x_img);
    for (int64_t g = 0; g < p.groups; ++g) {
      GemmArgs a;
      a.m = pixels; a.n = k; a.k = out_g;
      a.a = dy + n * pixels * p.out_c + g * out_g; a.lda = p.out_c;
      a.b = w + g * out_g * k; a.ldb = k;
      a.c = col; a.ldc = k;
      a.parallel = par;
      sgemm(a);
      col2im(p, col, g, img);
    }
    if (observer != nullptr) observer->report(n * p.in_h * p.in_w, (n + 1) * p.in_h * p.in_w);
  });
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const int64_t pixels = p.out_h() * p.out_w(), k = col_k(p), out_g = p.out_per_group();
  const int64_t x_img = p.in_h * p.in_w * p.in_c, wn = p.weight_numel();
  const int64_t chunks = wgrad_chunks(p.batch);
  ScratchScope scratch;
  float* partial = scratch.alloc_floats(chunks * wn);
  auto run_chunk = [&](int64_t ch, bool par) {
    ScratchScope s;
    float* col = s.alloc_floats(pixels * k);
    const int64_t nb = p.batch * ch / chunks, ne = p.batch * (ch + 1) / chunks;
    for (int64_t n = nb; n < ne; ++n)
      for (int64_t g = 0; g < p.groups; ++g) {
        im2col(p, x + n * x_img, g, col);
        GemmArgs a;
        a.trans_a = Trans::kYes;
        a.m = out_g; a.n = k; a.k = pixels;
        a.a = dy + n * pixels * p.out_c + g * out_g; a.lda = p.out_c;
        a.b = col; a.ldb = k;
        a.beta = n == nb ? 0.0f : 1.0f;
        a.c = partial + ch * wn + g * out_g * k; a.ldc = k;
        a.parallel = par;
        sgemm(a);
      }
  };
  if (p.batch >= num_threads())
    parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t ch = b; ch < e; ++ch) run_chunk(ch, false);
    });
  else
    for (int64_t ch = 0; ch < chunks; ++ch) run_chunk(ch, true);
  sum_partials(partial, chunks, wn, dw);
}

}  // namespace

ConvAlgoImpl im2col_algo() {
  return {ConvAlgo::kIm2col, &applies, &forward, &backward_data, &backward_weights};
}

}  // namespace nas::ops::conv_detail
