// "add" and "mul": y = a + b, y = a * b. The output has a's shape. b is
// either a's shape, or broadcast over the middle dimensions: for a
// [N,H,W,C], b may be [N,1,1,C] or [1,1,1,C] (and for a [N,C], b may be
// [1,C]); in general b has a's rank, b's middle dims are 1, b's first dim
// is N or 1 and b's last dim is C.
// Backward reduces db over the broadcast dimensions in a fixed order
// (deterministic on any thread count).
// In place: add with b of a's shape accepts an input gradient that aliases
// the output gradient (same data pointer; at most one of the two): its
// gradient is dy itself, so nothing is written for it. The training
// executor uses this to pass a residual's gradient through without a copy.
// Cost: flops_other = numel(a); bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not two inputs; b not of a form above.
Result<std::unique_ptr<Op>> create_add(const OpAttrs& attrs, std::span<const Shape> inputs);
Result<std::unique_ptr<Op>> create_mul(const OpAttrs& attrs, std::span<const Shape> inputs);

}  // namespace nas::ops
