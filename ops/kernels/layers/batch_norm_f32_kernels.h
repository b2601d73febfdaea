// BatchNorm kernels over NHWC rows (row-major [rows, c], channel contiguous),
// optionally fused with the ReLU or ReLU6 that follows the normalisation in
// training. One file per ISA (batch_norm_f32_<isa>.cc) compiled from one body
// (batch_norm_f32_body.h) with that ISA's flags, chosen once at run time by
// ops/layers/batch_norm.cc. The loops run over channels, so any c (16, 24,
// odd) works: the compiler vectorises the channel loop and handles its tail.
// All variants do the same IEEE operations per element in the same order
// (built with -ffp-contract=off, float partial sums flushed to double every
// kChunkRows rows), so they give bit-identical results; the parity test
// checks it.
//
// Every kernel is sequential over the rows it is given; the caller splits the
// rows into a fixed partition (RowBlocks) and combines the per-block double
// sums in block order, which keeps results independent of the thread count.
//
// `act` (kIdentity, kRelu or kRelu6 only) is the fused activation: forward
// writes act(BN(x)); backward reads the gradient dy of the ACTIVATION output
// and masks it with that output y (relu: y > 0, relu6: 0 < y < 6), giving the
// same bits as running the activation's own backward first. Backward
// recomputes y from x instead of reading it: one tensor stream less in each
// of its two passes (x and dy are read anyway).
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"
#include "ops/kernels/layers/activation_kind.h"

namespace nas::ops::kernels {

// Rows summed in float before the partial sums are added into double.
inline constexpr int64_t kBatchNormChunkRows = 32;

// s1[j] += sum_r (x[r,j] - shift[j]);  s2[j] += sum_r (x[r,j] - shift[j])^2.
// REQUIRES: scratch holds 2*c floats.
using BatchNormStatsFn = void (*)(const float* x, int64_t rows, int64_t c, const float* shift,
                                  double* s1, double* s2, float* scratch);
// y[r,j] = act((x[r,j] - mean[j]) * scale[j] + beta[j]). No output aliases an input.
// `streaming`: y is written with non-temporal stores (no read of y's lines
// before writing them, caches left alone; same bits): for outputs larger than
// the caches, which their reader will fetch from memory anyway.
using BatchNormNormalizeFn = void (*)(const float* x, int64_t rows, int64_t c, const float* mean,
                                      const float* scale, const float* beta, ActivationKind act,
                                      bool streaming, float* y);
// g = dy masked by the fused activation's output act((x - mean[j]) * scale[j]
// + beta[j]), recomputed from x with the forward's coefficients (bit for bit
// the value the forward wrote), so the output itself is never read; g = dy
// when act is kIdentity (scale and beta may then be null).
// s1[j] += sum_r g;  s2[j] += sum_r g * (x - mean[j]). REQUIRES: scratch holds 2*c floats.
using BatchNormGradSumsFn = void (*)(const float* x, const float* dy, int64_t rows, int64_t c,
                                     const float* mean, const float* scale, const float* beta,
                                     ActivationKind act, double* s1, double* s2, float* scratch);
// dx[r,j] = a[j] * g + b[j] * (x - mean[j]) + d[j], g as above. dx either
// aliases no input or is exactly dy (in place: each element of dy is read
// before its dx is written).
using BatchNormGradInputFn = void (*)(const float* x, const float* dy, int64_t rows, int64_t c,
                                      const float* mean, const float* scale, const float* beta,
                                      const float* a, const float* b, const float* d,
                                      ActivationKind act, float* dx);

struct BatchNormF32Kernel {
  const char* name;  // batch_norm_f32_<isa>
  Isa isa;
  BatchNormStatsFn stats;
  BatchNormNormalizeFn normalize;
  BatchNormGradSumsFn grad_sums;
  BatchNormGradInputFn grad_input;
  // The same bits as stats / grad_sums, faster on rows already in cache
  // (slower streaming from memory): sums kept in registers per channel strip.
  BatchNormStatsFn stats_cached;
  BatchNormGradSumsFn grad_sums_cached;
};

#define NAS_DECLARE_BATCH_NORM_KERNELS(isa)                                                       \
  void batch_norm_f32_stats_##isa(const float* x, int64_t rows, int64_t c, const float* shift,    \
                                  double* s1, double* s2, float* scratch);                        \
  void batch_norm_f32_normalize_##isa(const float* x, int64_t rows, int64_t c, const float* mean, \
                                      const float* scale, const float* beta, ActivationKind act,  \
                                      bool streaming, float* y);                                  \
  void batch_norm_f32_grad_sums_##isa(const float* x, const float* dy, int64_t rows, int64_t c, \
                                      const float* mean, const float* scale, const float* beta,   \
                                      ActivationKind act, double* s1, double* s2, float* scratch); \
  void batch_norm_f32_grad_input_##isa(const float* x, const float* dy, int64_t rows, int64_t c,  \
                                       const float* mean, const float* scale, const float* beta,  \
                                       const float* a, const float* b, const float* d,            \
                                       ActivationKind act, float* dx);                            \
  void batch_norm_f32_stats_cached_##isa(const float* x, int64_t rows, int64_t c,                 \
                                         const float* shift, double* s1, double* s2,              \
                                         float* scratch);                                         \
  void batch_norm_f32_grad_sums_cached_##isa(                                                     \
      const float* x, const float* dy, int64_t rows, int64_t c, const float* mean,                \
      const float* scale, const float* beta, ActivationKind act, double* s1, double* s2,          \
      float* scratch);
NAS_DECLARE_BATCH_NORM_KERNELS(scalar)
NAS_DECLARE_BATCH_NORM_KERNELS(avx2)
NAS_DECLARE_BATCH_NORM_KERNELS(avx512)
#undef NAS_DECLARE_BATCH_NORM_KERNELS

// Every variant built into the library, portable first. A CPU may lack some
// ISAs: check cpu_supports(kernel.isa) before calling.
std::span<const BatchNormF32Kernel> batch_norm_f32_kernels();
// The variant for `isa`. REQUIRES: one is listed for it.
const BatchNormF32Kernel& batch_norm_f32_kernel(Isa isa);

}  // namespace nas::ops::kernels
