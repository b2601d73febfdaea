// Activation kernels: y = f(x) and dx = dy * f'(x) over float arrays, one
// file per ISA (activation_f32_<isa>.cc) compiled from one body
// (activation_f32_body.h) with that ISA's flags and chosen at run time by
// ops/layers/activation_functions.cc. The compiler vectorises the loops; all
// variants do the same IEEE operations per element (built with
// -ffp-contract=off: no fused multiply-adds), so they give bit-identical
// results, which the parity test checks.
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cpu_features.h"
#include "ops/kernels/layers/activation_kind.h"

namespace nas::ops::kernels {

// x == y and dx == dy (in place) are allowed. Sequential.
using ActivationForwardFn = void (*)(ActivationKind kind, const float* x, float* y, int64_t n);
using ActivationBackwardFn = void (*)(ActivationKind kind, const float* x, const float* dy,
                                      float* dx, int64_t n);

struct ActivationF32Kernel {
  const char* name;  // activation_f32_<isa>
  Isa isa;
  ActivationForwardFn forward;
  ActivationBackwardFn backward;
};

void activation_f32_forward_scalar(ActivationKind kind, const float* x, float* y, int64_t n);
void activation_f32_backward_scalar(ActivationKind kind, const float* x, const float* dy, float* dx,
                                    int64_t n);
void activation_f32_forward_avx2(ActivationKind kind, const float* x, float* y, int64_t n);
void activation_f32_backward_avx2(ActivationKind kind, const float* x, const float* dy, float* dx,
                                  int64_t n);
void activation_f32_forward_avx512(ActivationKind kind, const float* x, float* y, int64_t n);
void activation_f32_backward_avx512(ActivationKind kind, const float* x, const float* dy, float* dx,
                                    int64_t n);

// Every variant built into the library, portable first. A CPU may lack some
// ISAs: check cpu_supports(kernel.isa) before calling.
std::span<const ActivationF32Kernel> activation_f32_kernels();
// The variant for `isa`. REQUIRES: one is listed for it.
const ActivationF32Kernel& activation_f32_kernel(Isa isa);

}  // namespace nas::ops::kernels
