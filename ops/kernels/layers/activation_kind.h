// The pointwise activations the layer kernels implement (a leaf header, so
// kernels need nothing from ops/layers).
#pragma once

namespace nas::ops {

// hsigmoid = relu6(x + 3) / 6 is MobileNetV3's gate; it has no
// OpAttrs::activation value.
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

}  // namespace nas::ops
