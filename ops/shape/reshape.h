// "reshape": the same values under another shape. Input [N, ...] -> [N,
// OpAttrs::shape...]: the batch dimension is kept and OpAttrs::shape is the
// target shape of one sample (row-major order unchanged). Spaces use it to see
// an image's rows as time steps ([B,H,W,C] -> [B,H,W*C]) and to give token
// sequences the rank-4 layout of the CNN ops ([B,S,D] -> [B,S,1,D], so
// global_avg_pool pools over tokens and a 1x1 conv2d is a per-token linear).
// No params. Forward and backward are copies (outputs never alias inputs).
// Cost: no arithmetic; bytes per the io convention (input read, output written).
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not one input of rank >= 1; shape empty, of rank > 5, with a
// dimension < 1, or with another element count than one input sample.
Result<std::unique_ptr<Op>> create_reshape(const OpAttrs& attrs, std::span<const Shape> inputs);

void register_shape_ops(OpRegistry& registry);

}  // namespace nas::ops
