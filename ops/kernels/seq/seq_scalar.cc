// Portable reference versions of the sequence element-wise kernels (libm).
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/kernels/seq/seq_kernels.h"

namespace nas::ops {
namespace {

float exp_scaled(const float* x, float* y, int64_t n, float scale, float shift) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = std::exp(scale * x[i] - shift);
    sum += y[i];
  }
  return sum;
}

float max(const float* x, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

void sigmoid(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void tanh_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

float dot(const float* x, const float* y, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

void softmax_grad(const float* p, float* dp, int64_t n, float scale, float d) {
  for (int64_t i = 0; i < n; ++i) dp[i] = scale * p[i] * (dp[i] - d);
}

void layer_norm_forward(const float* x, float* y, int64_t n, const float* gamma,
                        const float* beta, float eps, float* mean, float* rstd, bool) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  const float mu = s / static_cast<float>(n);
  float v = 0.0f;
  for (int64_t i = 0; i < n; ++i) v += (x[i] - mu) * (x[i] - mu);
  const float rs = 1.0f / std::sqrt(v / static_cast<float>(n) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mu) * rs * gamma[i] + beta[i];
  *mean = mu;
  *rstd = rs;
}

void layer_norm_backward(const float* x, const float* dy, float* dx, int64_t n,
                         const float* gamma, float mean, float rstd, float* dgamma,
                         float* dbeta) {
  float a = 0.0f, b = 0.0f;  // mean of dy*gamma and of dy*gamma*xhat
  for (int64_t i = 0; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    const float g = dy[i] * gamma[i];
    a += g;
    b += g * xh;
    if (dgamma != nullptr) {
      dgamma[i] += dy[i] * xh;
      dbeta[i] += dy[i];
    }
  }
  if (dx == nullptr) return;
  a /= static_cast<float>(n);
  b /= static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    dx[i] = rstd * (dy[i] * gamma[i] - a - xh * b);
  }
}

}  // namespace

const SeqKernels& seq_kernels_scalar() {
  static const SeqKernels k{"scalar", exp_scaled,         max,
                            sigmoid,  tanh_f32,           dot,
                            softmax_grad, layer_norm_forward, layer_norm_backward};
  return k;
}

}  // namespace nas::ops
