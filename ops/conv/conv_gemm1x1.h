// The 1x1 conv's (gemm1x1, conv_algorithms.h) passes beyond the three of
// ConvAlgoImpl: over a transformed input (ConvInputTransform, conv2d.h)
// without materialising t(x) (each block of pixels is transformed into the
// thread's scratch, sized to stay in L2, just before the GEMM or the
// weight-gradient reduction reads it), and the backward in one pass.
// Internal to ops/conv/ (conv2d.cc calls them).
#pragma once

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_params.h"
#include "ops/core/row_block_observer.h"

namespace nas::ops::conv_detail {

// REQUIRES (both): gemm1x1 applies to p (kernel 1, pad 0); buffers as in
// conv2d.h. The same bits as gemm1x1's forward / backward_weights on the
// transformed x, on any thread count. `observer` as in ConvAlgoImpl::forward.
void gemm1x1_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                 const float* w, float* y, RowBlockObserver* observer);
void gemm1x1_backward_weights_transformed(const ConvParams& p, const float* x,
                                          const ConvInputTransform& t, const float* dy, float* dw);

// The backward of a 1x1 conv whose weight gradient is gemm1x1's, in one pass
// over fixed pixel blocks: each block of dy rows (128 pixels, in the weight
// gradient's fixed chunks) gives its dx rows by `dx_algo`'s backward-data
// arithmetic (kGemm1x1: its GEMM; kDirect: direct's tile kernel on direct's
// packed weights), then its weight-gradient sums from the same dy rows (and x
// rows) while they are in L2: dy comes from memory once instead of twice,
// and the reads of x interleave with the writes of dx. Takes p when
// gemm1x1_backward_fuses(p) (depends on p only: stride 1, pad 0, dy at least
// as large as x, i.e. out_c >= in_c, and x and dy together beyond 12 MB) and
// dx_algo is kGemm1x1 or kDirect; returns false,
// writing nothing, otherwise. When it returns true, dx is bit for bit
// dx_algo's backward_data and dw gemm1x1's backward_weights (of t(x) when t
// is not null: x is then transformed block by block into thread scratch, as
// gemm1x1_backward_weights_transformed does), on any thread count.
// `observer` (may be null): every dx row is reported once final, from the
// thread that wrote it, while in cache (dx is then written with ordinary
// stores; else dx beyond kStreamOutputBytes is streamed).
// REQUIRES: sizes as in conv2d.h; dx and dw not null.
bool gemm1x1_backward_fuses(const ConvParams& p);
bool gemm1x1_backward_fused(const ConvParams& p, ConvAlgo dx_algo, const float* x,
                            const ConvInputTransform* t, const float* dy, const float* w, float* dx,
                            float* dw, RowBlockObserver* observer);

}  // namespace nas::ops::conv_detail
