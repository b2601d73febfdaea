// Pointwise activation functions as plain array kernels, shared by the
// standalone "activation" ops and by ops that fuse an activation (conv, SE).
#pragma once

#include <cstdint>

#include "ops/core/op_registry.h"
#include "ops/kernels/layers/activation_kind.h"

namespace nas::ops {

// kNone maps to kIdentity.
ActivationKind activation_kind(Activation a);
// The registry name ("relu", "hsigmoid", ...; "identity").
const char* activation_name(ActivationKind kind);

// y[i] = f(x[i]) for i < n, by the kernel of cpu_features().best
// (ops/kernels/layers/; every ISA gives the same bits). x == y (in place) is
// allowed. Sequential: the caller parallelises. exp, erf and tanh are
// vectorised approximations, not libm calls: exp relative error < 2e-7, erf
// and tanh absolute error < 5e-7 (ops/kernels/layers/fast_math_f32.h).
void activation_forward(ActivationKind kind, const float* x, float* y, int64_t n);
// dx[i] = dy[i] * f'(x[i]), from the activation's INPUT x. dx may alias dy.
// At kinks (relu at 0, relu6 at 0 and 6, hsigmoid/hswish at +-3) the
// derivative of the right-open piece is used (relu'(0) = 0, as PyTorch).
void activation_backward(ActivationKind kind, const float* x, const float* dy, float* dx,
                         int64_t n);

// Nominal non-MAC flops per element for the cost model (exp, erf, tanh count
// as one each): identity 0, relu 1, relu6 2, hsigmoid 4, hswish 5, sigmoid 4,
// swish 5, tanh 1, gelu 5.
int64_t activation_flops(ActivationKind kind);

}  // namespace nas::ops
