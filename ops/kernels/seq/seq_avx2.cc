// AVX2+FMA versions of the sequence element-wise kernels. Compiled with
// -mavx2 -mfma (this file only); chosen at run time.
//
// exp: range reduction x = n*ln2 + r, |r| <= ln2/2, degree-6 polynomial for
// e^r (Cephes coefficients, ~1 ulp), 2^n built in the exponent bits. Inputs
// below -87.3 are clamped so results underflow to ~0 instead of producing
// garbage. sigmoid and tanh are built on it; tanh uses the odd form
// sign(x) * (1 - e^{-2|x|}) / (1 + e^{-2|x|}), accurate to a few 1e-7 absolute.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>

#include "ops/kernels/seq/seq_kernels.h"

namespace nas::ops {
namespace {

inline __m256 exp_ps(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f);
  const __m256 lo = _mm256_set1_ps(-87.3365447504f);
  x = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  // 2^n: n in [-126, 127] after the clamp; add to the exponent field.
  __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

float exp_scaled(const float* x, float* y, int64_t n, float scale, float shift) {
  const __m256 vs = _mm256_set1_ps(scale), vsh = _mm256_set1_ps(shift);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 a = exp_ps(_mm256_fmsub_ps(_mm256_loadu_ps(x + i), vs, vsh));
    __m256 b = exp_ps(_mm256_fmsub_ps(_mm256_loadu_ps(x + i + 8), vs, vsh));
    _mm256_storeu_ps(y + i, a);
    _mm256_storeu_ps(y + i + 8, b);
    acc0 = _mm256_add_ps(acc0, a);
    acc1 = _mm256_add_ps(acc1, b);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 a = exp_ps(_mm256_fmsub_ps(_mm256_loadu_ps(x + i), vs, vsh));
    _mm256_storeu_ps(y + i, a);
    acc0 = _mm256_add_ps(acc0, a);
  }
  float tail = 0.0f;
  if (i < n) {
    alignas(32) float buf[8] = {};
    const int64_t rem = n - i;
    for (int64_t j = 0; j < rem; ++j) buf[j] = x[i + j];
    _mm256_store_ps(buf, exp_ps(_mm256_fmsub_ps(_mm256_load_ps(buf), vs, vsh)));
    for (int64_t j = 0; j < rem; ++j) {
      y[i + j] = buf[j];
      tail += buf[j];
    }
  }
  return hsum(_mm256_add_ps(acc0, acc1)) + tail;
}

float max(const float* x, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  __m256 vm = _mm256_set1_ps(m);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(x + i));
  alignas(32) float buf[8];
  _mm256_store_ps(buf, vm);
  for (float v : buf) m = std::max(m, v);
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 tanh_ps(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 e = exp_ps(_mm256_mul_ps(ax, _mm256_set1_ps(-2.0f)));
  __m256 t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
  // Near 0, 1 - e cancels; tanh(x) = x - x^3/3 is exact to float there.
  const __m256 small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.004f), _CMP_LT_OQ);
  const __m256 series = _mm256_fnmadd_ps(_mm256_mul_ps(ax, _mm256_mul_ps(ax, ax)),
                                         _mm256_set1_ps(1.0f / 3.0f), ax);
  t = _mm256_blendv_ps(t, series, small);
  return _mm256_or_ps(t, _mm256_and_ps(sign, x));
}

template <__m256 (*F)(__m256)>
void apply(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float buf[8] = {};
    for (int64_t j = 0; i + j < n; ++j) buf[j] = x[i + j];
    _mm256_store_ps(buf, F(_mm256_load_ps(buf)));
    for (int64_t j = 0; i + j < n; ++j) y[i + j] = buf[j];
  }
}

float dot(const float* x, const float* y, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
  float s = hsum(_mm256_add_ps(a0, a1));
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}

void softmax_grad(const float* p, float* dp, int64_t n, float scale, float d) {
  const __m256 vs = _mm256_set1_ps(scale), vd = _mm256_set1_ps(d);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_sub_ps(_mm256_loadu_ps(dp + i), vd);
    _mm256_storeu_ps(dp + i, _mm256_mul_ps(_mm256_mul_ps(vs, _mm256_loadu_ps(p + i)), g));
  }
  for (; i < n; ++i) dp[i] = scale * p[i] * (dp[i] - d);
}

// Layer norm rows: vector body plus a scalar tail; two passes over the row
// (mean, then centred variance) for accuracy, the row stays in L1.
void layer_norm_forward(const float* x, float* y, int64_t n, const float* gamma,
                        const float* beta, float eps, float* mean, float* rstd,
                        bool nontemporal) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
  float s = hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) s += x[i];
  const float mu = s / static_cast<float>(n);
  const __m256 vmu = _mm256_set1_ps(mu);
  s0 = _mm256_setzero_ps();
  s1 = _mm256_setzero_ps();
  i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 a = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmu);
    __m256 b = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vmu);
    s0 = _mm256_fmadd_ps(a, a, s0);
    s1 = _mm256_fmadd_ps(b, b, s1);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 a = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmu);
    s0 = _mm256_fmadd_ps(a, a, s0);
  }
  float v = hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) v += (x[i] - mu) * (x[i] - mu);
  const float rs = 1.0f / std::sqrt(v / static_cast<float>(n) + eps);
  const __m256 vrs = _mm256_set1_ps(rs);
  i = 0;
  if (nontemporal && reinterpret_cast<uintptr_t>(y) % 32 == 0) {
    for (; i + 8 <= n; i += 8) {
      __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmu), vrs);
      _mm256_stream_ps(y + i, _mm256_fmadd_ps(xh, _mm256_loadu_ps(gamma + i),
                                              _mm256_loadu_ps(beta + i)));
    }
    _mm_sfence();  // order the streaming stores before the task completes
  }
  for (; i + 8 <= n; i += 8) {
    __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmu), vrs);
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(xh, _mm256_loadu_ps(gamma + i),
                                            _mm256_loadu_ps(beta + i)));
  }
  for (; i < n; ++i) y[i] = (x[i] - mu) * rs * gamma[i] + beta[i];
  *mean = mu;
  *rstd = rs;
}

void layer_norm_backward(const float* x, const float* dy, float* dx, int64_t n,
                         const float* gamma, float mean, float rstd, float* dgamma,
                         float* dbeta) {
  const __m256 vmu = _mm256_set1_ps(mean), vrs = _mm256_set1_ps(rstd);
  __m256 va = _mm256_setzero_ps(), vb = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmu), vrs);
    const __m256 d = _mm256_loadu_ps(dy + i);
    const __m256 g = _mm256_mul_ps(d, _mm256_loadu_ps(gamma + i));
    va = _mm256_add_ps(va, g);
    vb = _mm256_fmadd_ps(g, xh, vb);
    if (dgamma != nullptr) {
      _mm256_storeu_ps(dgamma + i, _mm256_fmadd_ps(d, xh, _mm256_loadu_ps(dgamma + i)));
      _mm256_storeu_ps(dbeta + i, _mm256_add_ps(d, _mm256_loadu_ps(dbeta + i)));
    }
  }
  float a = hsum(va), b = hsum(vb);
  for (; i < n; ++i) {
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
  const __m256 vma = _mm256_set1_ps(a), vmb = _mm256_set1_ps(b);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmu), vrs);
    const __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dy + i), _mm256_loadu_ps(gamma + i));
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(vrs, _mm256_sub_ps(_mm256_sub_ps(g, vma),
                                                              _mm256_mul_ps(xh, vmb))));
  }
  for (; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    dx[i] = rstd * (dy[i] * gamma[i] - a - xh * b);
  }
}

}  // namespace

const SeqKernels& seq_kernels_avx2() {
  static const SeqKernels k{"avx2",         exp_scaled,         max,
                            apply<sigmoid_ps>, apply<tanh_ps>,  dot,
                            softmax_grad,   layer_norm_forward, layer_norm_backward};
  return k;
}

}  // namespace nas::ops
