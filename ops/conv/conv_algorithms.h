// The conv algorithms behind ops/conv/conv2d.h (internal to ops/conv/). Each
// exposes all three passes with the conv2d.h contracts (no bias handling: the
// dispatcher adds bias and its gradient). Which path each pass takes:
//   direct:    fwd implicit GEMM (tile kernel over taps x in-channels);
//              bwd_data = direct fwd of padded dy with rotated, transposed
//              weights; stride > 1 (groups 1, dilation 1) runs one stride
//              phase at a time, each a stride-1 correlation with its
//              sub-kernel (no upsampling zeros); bwd_weights implicit GEMM over
//              (tap, in-channel) rows, batch chunks summed in fixed order.
//   im2col:    per image and group, im2col + sgemm; bwd_data sgemm + col2im;
//              bwd_weights sgemm (dy^T x col) per chunk, fixed-order sum.
//   gemm1x1:   1x1, pad 0, any stride: one sgemm over all pixels (stride > 1
//              gathers the sampled pixels first); bwd_data sgemm (+ scatter);
//              bwd_weights a reduction over fixed pixel chunks (register
//              tiles over x and dy read in place), partials summed in chunk
//              order so the bits do not depend on the thread count;
//              conv2d_backward runs both in one pass per pixel block where
//              gemm1x1_backward_fuses (conv_gemm1x1.h).
//   winograd:  F(2x2,3x3) for 3x3, stride 1, dilation 1, groups 1, pad <= 2;
//              bwd_data = Winograd fwd of the padded dy with rotated weights
//              (itself a 3x3 stride-1 conv); bwd_weights = direct's.
//   winograd_s2: 3x3, stride 2, dilation 1, groups 1, in_c*out_c <= 32768:
//              fwd and bwd_data as
//              2x2 stride-1 convs over the 4 stride phases (4*in_c
//              channels), each Winograd F(7x7,2x2); bwd_weights the same
//              2x2 conv's gradient by F(2x2,7x7), tiles summed per point.
//   depthwise: groups == in_c == out_c; dedicated channel-vector kernels
//              for all three passes (bwd_data stride 1 = fwd with rotated
//              taps; other strides gather).
#pragma once

#include <span>

#include "ops/conv/conv_params.h"
#include "ops/core/row_block_observer.h"
#include "ops/core/workspace.h"

namespace nas::ops::conv_detail {

struct ConvAlgoImpl {
  ConvAlgo algo;
  bool (*applies)(const ConvParams&);
  // `observer` may be null; else every output row is reported to it once
  // final (conv2d.h), and the output is not streamed.
  void (*forward)(const ConvParams&, const float* x, const float* w, float* y,
                  RowBlockObserver* observer);
  void (*backward_data)(const ConvParams&, const float* dy, const float* w, float* dx,
                        RowBlockObserver* observer);
  void (*backward_weights)(const ConvParams&, const float* x, const float* dy, float* dw);
};

ConvAlgoImpl direct_algo();
ConvAlgoImpl im2col_algo();
ConvAlgoImpl gemm1x1_algo();
ConvAlgoImpl winograd_algo();
ConvAlgoImpl depthwise_algo();
ConvAlgoImpl winograd_s2_algo();

// All algorithms, indexed like kAllConvAlgos.
std::span<const ConvAlgoImpl> conv_algorithms();
const ConvAlgoImpl& conv_algorithm(ConvAlgo algo);

// Direct's forward on an explicitly padded input (used by backward_data of
// direct and of Winograd's fallbacks). `wpacked` from pack_direct_weights.
int64_t direct_packed_floats(const ConvParams& p);
void pack_direct_weights(const ConvParams& p, const float* w, float* wpacked);
// Direct's backward-data weights: w flipped and transposed (the weights of
// transposed_conv(p)), packed by pack_direct_weights, in `scratch`.
const float* pack_direct_backward_data_weights(const ConvParams& p, const float* w,
                                               ScratchScope& scratch);
// Rows [r0, r1) (pixels of the whole batch) of dx of a 1x1, stride-1, pad-0
// conv p exactly as direct's backward_data computes them: its tile kernel over
// `packed` (pack_direct_backward_data_weights), dy read in place. Each dx
// entry is one k loop whichever tile holds its pixel, so any split of the
// rows gives backward_data's bits. `stream`: dx written with streaming stores
// (fenced before returning).
void direct_1x1_backward_data_rows(const ConvParams& p, const float* packed, const float* dy,
                                   float* dx, int64_t r0, int64_t r1, bool stream);

}  // namespace nas::ops::conv_detail
