// 2-D convolution over NHWC activations with OHWI weights (see conv_params.h):
// forward, backward-data and backward-weights, each run by one of six
// algorithms (direct implicit GEMM, im2col + GEMM, 1x1 GEMM, Winograd
// F(2x2,3x3), depthwise, Winograd F(7x7,2x2) over the stride phases of 3x3
// stride-2 convs), parallel on the project's TBB arena, scratch from
// the thread's reused arena (no allocation per call in steady state).
//
// Algorithm choice per call, first that applies:
//   1. params.algo (per-call pin), 2. NAS_CONV_ALGO=direct|im2col|gemm1x1|
//   winograd|depthwise|winograd_s2 (read once at first use), 3. the autotuner's cached
//   choice (conv_autotune.h), 4. timing every applicable algorithm on this
//   call (then cached). A pinned algorithm that does not apply to the shape
//   is replaced by conv_algo_fallback(). Every algorithm is deterministic at
//   a fixed thread count: static partitions, weight gradients summed from
//   fixed per-chunk partials in a fixed order.
#pragma once

#include "ops/conv/conv_params.h"
#include "ops/core/row_block_observer.h"

namespace nas::ops {

// REQUIRES (all three): validate_conv_params(p) is ok; buffers of the shapes
// in p (x: input_shape, y/dy: output_shape, w/dw: weight_shape, bias/db:
// [out_c]); outputs do not alias inputs. Outputs are overwritten.

// `observer` (optional): its rows are the pixels of y (forward: N*OH*OW) or
// of dx (backward-data: N*H*W); every row is reported once its values are
// final (bias included), from the algorithm's own loops while the rows are
// still in cache where it can (gemm1x1, direct except strided
// backward-data, depthwise), else all at the end (report_all). The caller
// reset() it before. Outputs are the same bits with or without it (an
// observed output is written with ordinary stores, never streamed).

// y = conv(x, w) (+ bias when p.bias; bias is ignored otherwise).
void conv2d_forward(const ConvParams& p, const float* x, const float* w, const float* bias,
                    float* y, RowBlockObserver* observer = nullptr);
// A producer's elementwise pass over the conv's input (e.g. BatchNorm-apply +
// ReLU6), folded into the conv: fn(ctx, src, pixels, dst) writes `pixels`
// transformed pixels (in_c floats each) of src to dst; src and dst do not
// overlap. Thread-safe (called on several threads at once).
struct ConvInputTransform {
  void (*fn)(const void* ctx, const float* src, int64_t pixels, float* dst) = nullptr;
  const void* ctx = nullptr;
};

// y = conv(t(x), w) (+ bias), and xt = t(x) (xt: input_shape; the backward
// passes read it) unless xt is null: the same bits as transforming all of x
// into xt, then conv2d_forward(p, xt, ...). Depthwise convs on batches beyond
// the caches transform each input row as their row ring copies it, so x is
// read once and xt only written; with xt null, 1x1 convs with pad 0
// transform each block of pixels into thread scratch before the algorithm
// reads it (gemm1x1 at any stride, the others at stride 1: each output pixel
// depends on its input pixel alone) and t(x) is never written; any other
// conv transforms first (into scratch when xt is null).
void conv2d_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                float* xt, const float* w, const float* bias, float* y,
                                RowBlockObserver* observer = nullptr);
// The backward passes of conv(t(x)) reading x, not t(x): the same bits as
// transforming all of x first and calling conv2d_backward_weights /
// conv2d_backward (dx and the observer as there; dx never depends on x).
// 1x1 convs whose weight gradient resolves to gemm1x1 transform each block of
// pixels into thread scratch as the reduction reaches it (in the one pass of
// conv2d_backward where both passes resolve to gemm1x1 and it takes p);
// depthwise convs
// whose backward passes resolve to depthwise transform each row as the
// weight gradient's ring copies it where depthwise_backward_transformed
// takes p (conv_depthwise.h); any other conv transforms all of x into
// scratch first.
void conv2d_backward_weights_transformed(const ConvParams& p, const float* x,
                                         const ConvInputTransform& t, const float* dy, float* dw,
                                         float* db);
void conv2d_backward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                 const float* dy, const float* w, float* dx, float* dw, float* db,
                                 RowBlockObserver* observer = nullptr);
// True when the transformed passes of p (xt null) can run without writing
// t(x) anywhere: 1x1 convs with stride 1 and pad 0 (except a weight gradient
// the pin or the autotuner resolves to another algorithm than gemm1x1, and
// the autotuner's own first call: those transform into scratch first, the
// same bits without the saving), and depthwise convs whose backward takes
// the transform (depthwise_backward_transforms: batches beyond the caches;
// their forward ring takes it for 3x3 / 5x5 with "same" padding, other
// geometries' forward transforms into scratch). Depends on p only.
bool conv2d_transforms_input_in_place(const ConvParams& p);
// dx = d(loss)/dx given dy = d(loss)/dy.
void conv2d_backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                          RowBlockObserver* observer = nullptr);
// dx (skipped when null) as conv2d_backward_data gives it (observer as
// there), then dw and db as conv2d_backward_weights gives them: the same
// bits, in one pass over dy where the chosen algorithms have one (depthwise
// at stride 1 with "same" padding on batches beyond the caches; 1x1 convs
// at stride 1 with out_c >= in_c when x and dy together exceed 12 MB,
// conv_gemm1x1.h: dy is read from memory once instead of twice).
void conv2d_backward(const ConvParams& p, const float* x, const float* dy, const float* w, float* dx,
                     float* dw, float* db, RowBlockObserver* observer = nullptr);
// dw = d(loss)/dw (skipped when dw is null); db = sum of dy over batch and
// pixels (skipped when db is null or !p.bias).
void conv2d_backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw,
                             float* db);

// True when the unobserved pass writes its output (kForward: y,
// kBackwardData: dx) with streaming stores: outputs beyond
// conv_detail::kStreamOutputBytes (16 MiB), which would not stay cached for
// their reader. Observing such an output costs the read-for-ownership of
// every line (it is then written with ordinary stores).
bool conv2d_streams_output(const ConvParams& p, ConvPass pass);

// A process-wide pin with the precedence of NAS_CONV_ALGO (over it, under
// ConvParams::algo); kAuto (the default) removes it. For tests and tools that
// reach convs through ops; call while no conv is running.
void set_conv_algo_pin(ConvAlgo algo);

bool conv_algo_applies(ConvAlgo algo, const ConvParams& p);
// What runs when a pinned algorithm does not apply: depthwise, else gemm1x1,
// else direct (which applies to every shape).
ConvAlgo conv_algo_fallback(const ConvParams& p);
// The algorithm a call would use without timing anything: the pin or the
// cached choice, with fallback; kAuto when the autotuner would have to time.
ConvAlgo conv2d_resolved_algo(const ConvParams& p, ConvPass pass);

}  // namespace nas::ops
