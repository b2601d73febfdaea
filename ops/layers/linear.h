// "linear": fully connected. Input [N, in] or [N,1,1,in] -> [N, out] with
// out = OpAttrs::out_channels (0: out = in); params weight [out][in] (Kaiming
// uniform, fan_in = in) and, when OpAttrs::bias, bias [out] (zeros).
// y = x W^T + b, through sgemm (dx = dy W, dW = dy^T x; db = column sums of dy,
// in a fixed row order).
// Cost: macs = N*in*out; flops_other = N*out when biased; bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not one input of rank 2, or rank 4 with H = W = 1; in < 1; out < 0.
Result<std::unique_ptr<Op>> create_linear(const OpAttrs& attrs, std::span<const Shape> inputs);

}  // namespace nas::ops
