// The depthwise algorithm's backward in one pass (ops/conv/conv_depthwise.cc).
#pragma once

#include <cstdint>
#include <functional>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_params.h"

namespace nas::ops::conv_detail {

// dx and dw of a depthwise convolution in one pass over dy: each piece of dy
// rows gives its dx rows and then its weight-gradient sums while it is
// still in L2, so dy comes from memory once instead of once per pass. Batches
// beyond the caches at stride 1 with "same" padding only (dy then costs a
// third of the two passes' memory traffic); returns false, writing nothing,
// for any other p. When it returns true, dx and dw are bit for bit what the
// depthwise algorithm's backward_data and backward_weights give, on any
// thread count. on_dx_rows (optional) is called with each range of dx's
// pixels [begin, end) (pixel n*H*W + y*W + x, whole image rows) once they
// are final, on the thread that wrote them, every pixel once: a consumer can
// read them while they are in cache (RowBlockObserver::report); dx is then
// written with ordinary stores. REQUIRES: sizes as in conv2d.h, dx and dw
// not null.
using DxRowsDone = std::function<void(int64_t begin, int64_t end)>;
bool depthwise_backward_fused(const ConvParams& p, const float* x, const float* dy, const float* w, float* dx,
                              float* dw, const DxRowsDone& on_dx_rows = {});

// The depthwise forward of t(x), also writing xt = t(x) (conv2d.h,
// conv2d_forward_transformed): each input row is transformed as the forward's
// row ring copies it, and streamed to xt by the one run that owns it
// (kernels::dw_owner_row). Batches beyond the caches whose geometry lets every
// run copy whole rows and every row have an owner that reads it
// (kernels::dw_can_transform_input, e.g. 3x3 at stride 1 or 2 with padding
// 1); returns false, writing nothing, otherwise. The bits of y and xt are
// those of transforming first and running the depthwise forward.
// xt may be null: nothing but y is written (the backward then reads x
// through depthwise_backward_transformed).
bool depthwise_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                   float* xt, const float* w, float* y, RowBlockObserver* observer);

// Whether depthwise_backward_transformed takes p (it depends on p only): a
// caller may then skip writing t(x) in the forward (xt == nullptr above).
bool depthwise_backward_transforms(const ConvParams& p);

// dx (skipped when null; observer as in conv2d_backward), dw and db (db
// when p.bias and db not null) of the depthwise conv of t(x): the same bits
// as conv2d_backward(p, t(x), dy, w, dx, dw, db) with the depthwise
// algorithm, on any thread count, reading x and transforming each input row
// as the weight gradient's row ring copies it (t(x) is never written; dx
// does not read x). Returns false, writing nothing, when
// !depthwise_backward_transforms(p) (the caller then transforms first).
// REQUIRES: sizes as in conv2d.h, dw not null.
bool depthwise_backward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                    const float* dy, const float* w, float* dx, float* dw, float* db,
                                    RowBlockObserver* observer = nullptr);

}  // namespace nas::ops::conv_detail
