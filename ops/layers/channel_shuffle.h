// "channel_shuffle" (ShuffleNet): [.., C] with g = OpAttrs::shuffle_groups
// views the channels as [g, C/g] and transposes them to [C/g, g]:
//   y[.., j*g + i] = x[.., i*(C/g) + j].
// Backward applies the inverse permutation. Cost: flops 0; bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not one input of rank >= 1; g < 1 or C not divisible by g.
Result<std::unique_ptr<Op>> create_channel_shuffle(const OpAttrs& attrs,
                                                   std::span<const Shape> inputs);

}  // namespace nas::ops
