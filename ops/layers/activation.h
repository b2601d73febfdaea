// The "activation" op family: one op class registered under each activation
// name (relu, relu6, hsigmoid, hswish, swish, sigmoid, tanh, gelu). Any input
// shape; the output has the input's shape. No params.
// Cost: flops_other = numel * activation_flops(kind); bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"
#include "ops/layers/activation_functions.h"

namespace nas::ops {

// REQUIRES: kind != kIdentity. Error when there is not exactly one input.
Result<std::unique_ptr<Op>> create_activation(ActivationKind kind, const OpAttrs& attrs,
                                              std::span<const Shape> inputs);

}  // namespace nas::ops
