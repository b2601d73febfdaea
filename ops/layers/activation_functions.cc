#include "ops/layers/activation_functions.h"

#include "ops/core/cpu_features.h"
#include "ops/core/status.h"
#include "ops/kernels/layers/activation_f32_kernels.h"

namespace nas::ops {

ActivationKind activation_kind(Activation a) {
  switch (a) {
    case Activation::kNone:
      return ActivationKind::kIdentity;
    case Activation::kRelu:
      return ActivationKind::kRelu;
    case Activation::kRelu6:
      return ActivationKind::kRelu6;
    case Activation::kHswish:
      return ActivationKind::kHswish;
    case Activation::kSwish:
      return ActivationKind::kSwish;
    case Activation::kSigmoid:
      return ActivationKind::kSigmoid;
    case Activation::kTanh:
      return ActivationKind::kTanh;
    case Activation::kGelu:
      return ActivationKind::kGelu;
  }
  NAS_CHECK(false);
  return ActivationKind::kIdentity;
}

const char* activation_name(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::kIdentity:
      return "identity";
    case ActivationKind::kRelu:
      return "relu";
    case ActivationKind::kRelu6:
      return "relu6";
    case ActivationKind::kHsigmoid:
      return "hsigmoid";
    case ActivationKind::kHswish:
      return "hswish";
    case ActivationKind::kSwish:
      return "swish";
    case ActivationKind::kSigmoid:
      return "sigmoid";
    case ActivationKind::kTanh:
      return "tanh";
    case ActivationKind::kGelu:
      return "gelu";
  }
  NAS_CHECK(false);
  return "";
}

int64_t activation_flops(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::kIdentity:
      return 0;
    case ActivationKind::kRelu:
      return 1;
    case ActivationKind::kRelu6:
      return 2;
    case ActivationKind::kHsigmoid:
      return 4;
    case ActivationKind::kHswish:
      return 5;
    case ActivationKind::kSigmoid:
      return 4;
    case ActivationKind::kSwish:
      return 5;
    case ActivationKind::kTanh:
      return 1;
    case ActivationKind::kGelu:
      return 5;
  }
  NAS_CHECK(false);
  return 0;
}

namespace {

// Chosen once from the CPU (NAS_ISA may pin it for tests and benchmarks).
const kernels::ActivationF32Kernel& kernel() {
  static const kernels::ActivationF32Kernel& k =
      kernels::activation_f32_kernel(cpu_features().best);
  return k;
}

}  // namespace

void activation_forward(ActivationKind kind, const float* x, float* y, int64_t n) {
  kernel().forward(kind, x, y, n);
}

void activation_backward(ActivationKind kind, const float* x, const float* dy, float* dx,
                         int64_t n) {
  kernel().backward(kind, x, dy, dx, n);
}

}  // namespace nas::ops
