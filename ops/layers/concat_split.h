// "concat" and "split" along the last (channel) dimension of NHWC tensors
// (any rank >= 1; all other dimensions must match).
//   concat: k >= 1 inputs [.., Ci] -> [.., sum Ci].
//   split:  one input [.., C] -> outputs [.., s_i] for s_i in
//           OpAttrs::split_sizes (each >= 1, summing to C).
// Cost: pure data movement, flops 0; bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

Result<std::unique_ptr<Op>> create_concat(const OpAttrs& attrs, std::span<const Shape> inputs);
Result<std::unique_ptr<Op>> create_split(const OpAttrs& attrs, std::span<const Shape> inputs);

}  // namespace nas::ops
