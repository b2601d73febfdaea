#include "ops/layers/activation_functions.h"

#include <algorithm>
#include <cmath>

#include "ops/core/status.h"
#include "ops/layers/fast_math.h"

namespace nas::ops {
namespace {

// Loop bodies are branch-free (with -fno-trapping-math, see CMakeLists.txt)
// so g++ -O3 vectorises them; exp and erf are the vectorisable ones of
// fast_math.h.
using layers::erf_f32;
using layers::exp_f32;
inline float sigmoid(float x) { return layers::sigmoid_f32(x); }

}  // namespace

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

void activation_forward(ActivationKind kind, const float* x, float* y, int64_t n) {
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
      for (int64_t i = 0; i < n; ++i) y[i] = layers::tanh_f32(x[i]);
      return;
    case ActivationKind::kGelu: {
      const float inv_sqrt2 = 0.70710678118654752f;
      for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + erf_f32(x[i] * inv_sqrt2));
      return;
    }
  }
  NAS_CHECK(false);
}

void activation_backward(ActivationKind kind, const float* x, const float* dy, float* dx,
                         int64_t n) {
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
        const float t = layers::tanh_f32(x[i]);
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
  NAS_CHECK(false);
}

}  // namespace nas::ops
