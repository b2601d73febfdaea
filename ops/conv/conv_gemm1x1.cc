// 1x1 convolution as one GEMM over every pixel of the batch: NHWC activations
// are already the [pixels][channels] matrix and OHWI weights its [out][in]
// partner. Stride > 1 gathers the sampled pixels into scratch first (and
// scatters dx back, zeros elsewhere).
#include <cstring>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/gemm/sgemm.h"

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

void forward(const ConvParams& p, const float* x, const float* w, float* y) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  const float* a = x;
  if (p.stride != 1) {
    float* xs = scratch.alloc_floats(rows * p.in_c);
    subsample(p, x, xs);
    a = xs;
  }
  // Outputs beyond kStreamOutputBytes go straight to memory.
  const bool stream = rows * p.out_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  for (int64_t g = 0; g < p.groups; ++g) {
    GemmArgs args;
    args.stream_c = stream;
    args.trans_b = Trans::kYes;
    args.m = rows; args.n = out_g; args.k = in_g;
    args.a = a + g * in_g; args.lda = p.in_c;
    args.b = w + g * out_g * in_g; args.ldb = in_g;
    args.c = y + g * out_g; args.ldc = p.out_c;
    sgemm(args);
  }
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  float* d = p.stride == 1 ? dx : scratch.alloc_floats(rows * p.in_c);
  const bool stream = p.stride == 1 && rows * p.in_c * int64_t{sizeof(float)} > kStreamOutputBytes;
  for (int64_t g = 0; g < p.groups; ++g) {
    GemmArgs args;
    args.stream_c = stream;
    args.m = rows; args.n = in_g; args.k = out_g;
    args.a = dy + g * out_g; args.lda = p.out_c;
    args.b = w + g * out_g * in_g; args.ldb = in_g;
    args.c = d + g * in_g; args.ldc = p.in_c;
    sgemm(args);
  }
  if (p.stride == 1) return;
  const int64_t oh = p.out_h(), ow = p.out_w(), c = p.in_c;
  parallel_for(p.batch * p.in_h, 8, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t n = r / p.in_h, iy = r % p.in_h;
      float* row = dx + r * p.in_w * c;
      std::memset(row, 0, sizeof(float) * p.in_w * c);
      if (iy % p.stride || iy / p.stride >= oh) continue;
      const float* src = d + (n * oh + iy / p.stride) * ow * c;
      for (int64_t ox = 0; ox < ow; ++ox)
        std::memcpy(row + ox * p.stride * c, src + ox * c, sizeof(float) * c);
    }
  });
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  const int64_t rows = p.batch * p.out_h() * p.out_w(), in_g = p.in_per_group(),
                out_g = p.out_per_group();
  ScratchScope scratch;
  const float* a = x;
  if (p.stride != 1) {
    float* xs = scratch.alloc_floats(rows * p.in_c);
    subsample(p, x, xs);
    a = xs;
  }
  // The batch reduction is the GEMM's k loop: fixed order, no atomics.
  for (int64_t g = 0; g < p.groups; ++g) {
    GemmArgs args;
    args.trans_a = Trans::kYes;
    args.m = out_g; args.n = in_g; args.k = rows;
    args.a = dy + g * out_g; args.lda = p.out_c;
    args.b = a + g * in_g; args.ldb = p.in_c;
    args.c = dw + g * out_g * in_g; args.ldc = in_g;
    sgemm(args);
  }
}

}  // namespace

ConvAlgoImpl gemm1x1_algo() {
  return {ConvAlgo::kGemm1x1, &applies, &forward, &backward_data, &backward_weights};
}

}  // namespace nas::ops::conv_detail
