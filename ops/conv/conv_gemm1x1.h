// The 1x1 conv's (gemm1x1, conv_algorithms.h) passes over a transformed input
// (ConvInputTransform, conv2d.h) without materialising t(x): each block of
// pixels is transformed into the thread's scratch (sized to stay in L2) just
// before the GEMM or the weight-gradient reduction reads it. Internal to
// ops/conv/ (conv2d.cc's transformed passes call them).
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

}  // namespace nas::ops::conv_detail
