// Squeeze-and-excitation over NHWC [N,H,W,C] (output: the input's shape):
//   s = global_avg_pool(x)                 [N,C]
//   z = relu(s W1^T + b1)                  [N,Cr], Cr = max(1, C / se_reduction)
//   g = gate(z W2^T + b2)                  [N,C]
//   y = x * g (broadcast over H, W)
// Registered twice: "squeeze_excitation" (sigmoid gate, SE-Net/EfficientNet)
// and "squeeze_excitation_hsigmoid" (hsigmoid gate, MobileNetV3).
// Params: reduce_weight [Cr][C] (Kaiming uniform), reduce_bias [Cr] (zeros),
// expand_weight [C][Cr] (Kaiming uniform), expand_bias [C] (zeros).
// Cost: macs = 2*N*C*Cr; flops_other = 2*N*H*W*C (pool adds, scaling) +
// N*C (pool divide) + 2*N*Cr (bias, relu) + N*C (bias) + N*C*activation_flops(gate);
// bytes per io_cost() (the input is read twice in practice).
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"
#include "ops/layers/activation_functions.h"

namespace nas::ops {

// REQUIRES: gate is kSigmoid or kHsigmoid. Errors: not one rank-4 input;
// C < 1; se_reduction < 1.
Result<std::unique_ptr<Op>> create_squeeze_excitation(ActivationKind gate, const OpAttrs& attrs,
                                                      std::span<const Shape> inputs);

}  // namespace nas::ops
