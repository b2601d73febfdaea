// Branch-free float exp, erf and tanh that g++ -O3 vectorises (libm calls
// do not), for the activation kernels. Internal to ops/kernels/layers.
//
// exp_f32: Cephes' expf scheme: n = round(x / ln 2) by the 1.5*2^23 trick,
// r = x - n ln 2 (two-part ln 2), a degree-6 polynomial for e^r, and 2^n put
// into the exponent bits. Inputs are clamped to [-87, 88], so the result is
// always a finite normal float (exp(-100) gives exp(-87)); within that range
// the relative error is under 2e-7.
// erf_f32: Abramowitz & Stegun 7.1.26, absolute error under 5e-7 in float.
// tanh_f32: Eigen's rational 13/6 approximation on [-7.9053, 7.9053] (+-1
// outside), absolute and relative error under 4e-7.
// (Measured against double libm over [-90, 90] in steps of 1e-4.)
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

// Internal linkage on purpose: each ISA's kernel file compiles these with its
// own flags, and one shared out-of-line copy (ODR) could run AVX-512 code on
// a CPU without it.
namespace nas::ops::kernels {
namespace {

inline float exp_f32(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float round_magic = 12582912.0f;  // 1.5 * 2^23
  const float n = (x * 1.44269504088896341f + round_magic) - round_magic;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

inline float erf_f32(float x) {
  const float a = std::min(std::abs(x), 10.0f);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float y = 1.0f - p * t * exp_f32(-a * a);
  return x < 0.0f ? -y : y;
}

inline float tanh_f32(float x) {
  const float c = 7.90531110763549805f;
  const float v = std::min(std::max(x, -c), c);
  const float v2 = v * v;
  float p = -2.76076847742355e-16f;
  p = p * v2 + 2.00018790482477e-13f;
  p = p * v2 - 8.60467152213735e-11f;
  p = p * v2 + 5.12229709037114e-08f;
  p = p * v2 + 1.48572235717979e-05f;
  p = p * v2 + 6.37261928875436e-04f;
  p = p * v2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * v2 + 1.18534705686654e-04f;
  q = q * v2 + 2.26843463243900e-03f;
  q = q * v2 + 4.89352518554385e-03f;
  const float t = v * p / q;
  return std::abs(x) < 0.0004f ? x : t;
}

inline float sigmoid_f32(float x) { return 1.0f / (1.0f + exp_f32(-x)); }

}  // namespace
}  // namespace nas::ops::kernels
