// 2-D pooling over NHWC: "max_pool" and "avg_pool" with OpAttrs kernel,
// stride and padding (-1: (kernel-1)/2). Input [N,H,W,C] -> [N,Ho,Wo,C] with
// Ho = (H + 2*padding - kernel) / stride + 1 (floor; no ceil mode).
//
// Padding never contributes a value: max ignores it, and avg divides by the
// number of real (non-padding) elements in the window, i.e. PyTorch's
// count_include_pad=False.
//
// Max backward sends the gradient to the first maximum of each window in
// (row, column) order, recomputed from the input and the forward output.
//
// Cost: flops_other = C * (real elements over all windows) (one compare or
// add each), plus one multiply per output for avg; bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not one rank-4 input; kernel or stride < 1; 2*padding > kernel;
// window larger than the padded input.
Result<std::unique_ptr<Op>> create_max_pool(const OpAttrs& attrs, std::span<const Shape> inputs);
Result<std::unique_ptr<Op>> create_avg_pool(const OpAttrs& attrs, std::span<const Shape> inputs);

}  // namespace nas::ops
