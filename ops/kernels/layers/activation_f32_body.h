// The loops of the activation kernels, included once per ISA file
// (activation_f32_<isa>.cc) and compiled with that file's flags. Loop bodies
// are branch-free (and built with -fno-trapping-math) so g++ -O3 if-converts
// the selects and vectorises every loop; exp, erf and tanh come from
// fast_math_f32.h. Internal linkage (anonymous namespace): see fast_math_f32.h.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/kernels/layers/activation_kind.h"
#include "ops/kernels/layers/fast_math_f32.h"

namespace nas::ops::kernels {
namespace {

inline float sigmoid(float x) { return sigmoid_f32(x); }

inline void activation_forward_body(ActivationKind kind, const float* x, float* y, int64_t n) {
  switch (kind) {
    case ActivationKind::kIdentity:
      if (x != y) std::copy(x, x + n, y);
      return;
    case ActivationKind::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = std::max(x[i], 0.0f);
      return;
    case ActivationKind::kRelu6:
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], 0.0f), 6.0f);
      return;
    case ActivationKind::kHsigmoid:
      for (int64_t i = 0; i < n; ++i)
        y[i] = std::min(std::max(x[i] + 3.0f, 0.0f), 6.0f) * (1.0f / 6.0f);
      return;
    case ActivationKind::kHswish:
      for (int64_t i = 0; i < n; ++i)
        y[i] = x[i] * std::min(std::max(x[i] + 3.0f, 0.0f), 6.0f) * (1.0f / 6.0f);
      return;
    case ActivationKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
      return;
    case ActivationKind::kSwish:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * sigmoid(x[i]);
      return;
    case ActivationKind::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = tanh_f32(x[i]);
      return;
    case ActivationKind::kGelu: {
      const float inv_sqrt2 = 0.70710678118654752f;
      for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + erf_f32(x[i] * inv_sqrt2));
      return;
    }
  }
}

inline void activation_backward_body(ActivationKind kind, const float* x, const float* dy,
                                     float* dx, int64_t n) {
  switch (kind) {
    case ActivationKind::kIdentity:
      if (dx != dy) std::copy(dy, dy + n, dx);
      return;
    case ActivationKind::kRelu:
      for (int64_t i = 0; i < n; ++i) {
        const float g = dy[i];  // loaded unconditionally so the select vectorises
        dx[i] = x[i] > 0.0f ? g : 0.0f;
      }
      return;
    case ActivationKind::kRelu6:
      for (int64_t i = 0; i < n; ++i) {
        const float g = dy[i], v = x[i];
        dx[i] = (v > 0.0f) & (v < 6.0f) ? g : 0.0f;
      }
      return;
    case ActivationKind::kHsigmoid:
      for (int64_t i = 0; i < n; ++i) {
        const float g = dy[i] * (1.0f / 6.0f), v = x[i];
        dx[i] = (v > -3.0f) & (v < 3.0f) ? g : 0.0f;
      }
      return;
    case ActivationKind::kHswish:
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        const float mid = (2.0f * v + 3.0f) * (1.0f / 6.0f);
        const float d = v < -3.0f ? 0.0f : (v < 3.0f ? mid : 1.0f);
        dx[i] = dy[i] * d;
      }
      return;
    case ActivationKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) {
        const float s = sigmoid(x[i]);
        dx[i] = dy[i] * s * (1.0f - s);
      }
      return;
    case ActivationKind::kSwish:
      for (int64_t i = 0; i < n; ++i) {
        const float s = sigmoid(x[i]);
        dx[i] = dy[i] * (s + x[i] * s * (1.0f - s));
      }
      return;
    case ActivationKind::kTanh:
      for (int64_t i = 0; i < n; ++i) {
        const float t = tanh_f32(x[i]);
        dx[i] = dy[i] * (1.0f - t * t);
      }
      return;
    case ActivationKind::kGelu: {
      const float inv_sqrt2 = 0.70710678118654752f;
      const float inv_sqrt_2pi = 0.39894228040143268f;
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        const float cdf = 0.5f * (1.0f + erf_f32(v * inv_sqrt2));
        const float pdf = inv_sqrt_2pi * exp_f32(-0.5f * v * v);
        dx[i] = dy[i] * (cdf + v * pdf);
      }
      return;
    }
  }
}

}  // namespace
}  // namespace nas::ops::kernels
