// Pointwise activation functions as plain array kernels, shared by the
// standalone "activation" ops and by ops that fuse an activation (conv, SE).
#pragma once

#include <cstdint>

#include "ops/core/op_registry.h"

namespace nas::ops {

// The activations the layer ops implement. hsigmoid = relu6(x + 3) / 6 is
// MobileNetV3's gate; it has no OpAttrs::activation value.
enum class ActivationKind {
  kIdentity,
  kRelu,
  kRelu6,
  kHsigmoid,
  kHswish,
  kSwish,
  kSigmoid,
  kTanh,
  kGelu,  // exact: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
};

// kNone maps to kIdentity.
ActivationKind activation_kind(Activation a);
// The registry name ("relu", "hsigmoid", ...; "identity").
const char* activation_name(ActivationKind kind);

// y[i] = f(x[i]) for i < n. x == y (in place) is allowed. Sequential: the
// caller parallelises.
void activation_forward(ActivationKind kind, const float* x, float* y, int64_t n);
// dx[i] = dy[i] * f'(x[i]), from the activation's INPUT x. dx may alias dy.
// At kinks (relu at 0, relu6 at 0 and 6, hsigmoid/hswish at +-3) the
// derivative of the right-open piece is used (relu'(0) = 0, as PyTorch).
void activation_backward(ActivationKind kind, const float* x, const float* dy, float* dx,
                         int64_t n);

// exp, erf and tanh are vectorised approximations (exp: relative error
// < 2e-7; erf, tanh: absolute error < 5e-7; ops/layers/fast_math.h), not
// libm calls.
// Nominal non-MAC flops per element for the cost model (exp, erf, tanh count
// as one each): identity 0, relu 1, relu6 2, hsigmoid 4, hswish 5, sigmoid 4,
// swish 5, tanh 1, gelu 5.
int64_t activation_flops(ActivationKind kind);

}  // namespace nas::ops
