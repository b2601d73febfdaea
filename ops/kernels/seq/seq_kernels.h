// Element-wise micro-kernels of the sequence ops (softmax rows, gate
// activations), one table per ISA, chosen once at start-up from the CPU's
// features. Plain functions over raw pointers; no allocation, no threads.
#pragma once

#include <cstdint>

#include "ops/core/cpu_features.h"

namespace nas::ops {

struct SeqKernels {
  const char* name;
  // y[i] = exp(scale * x[i] - shift); returns the sum of the y[i] (float
  // accumulation). x and y may be the same buffer. REQUIRES: n >= 0.
  float (*exp_scaled)(const float* x, float* y, int64_t n, float scale, float shift);
  // max over x[0..n); -inf for n == 0.
  float (*max)(const float* x, int64_t n);
  // y = 1 / (1 + exp(-x)); in place allowed.
  void (*sigmoid)(const float* x, float* y, int64_t n);
  // y = tanh(x); in place allowed.
  void (*tanh)(const float* x, float* y, int64_t n);
  // sum of x[i] * y[i].
  float (*dot)(const float* x, const float* y, int64_t n);
  // Softmax backward on one row: dp[i] = scale * p[i] * (dp[i] - d), where d
  // is rowsum(p * dp) (plain) or rowsum(dO * O) (tiled).
  void (*softmax_grad)(const float* p, float* dp, int64_t n, float scale, float d);
  // One row of layer norm: y = (x - mean) * rstd * gamma + beta, biased
  // variance; writes the row's mean and rstd = 1 / sqrt(var + eps).
  // nontemporal: y is written with streaming stores (for outputs far larger
  // than the caches; saves the read-for-ownership of y); a hint only.
  void (*layer_norm_forward)(const float* x, float* y, int64_t n, const float* gamma,
                             const float* beta, float eps, float* mean, float* rstd,
                             bool nontemporal);
  // Its backward for one row: dx (OVERWRITTEN, skipped when nullptr) and,
  // when non-null, dgamma += dy * xhat, dbeta += dy.
  void (*layer_norm_backward)(const float* x, const float* dy, float* dx, int64_t n,
                              const float* gamma, float mean, float rstd, float* dgamma,
                              float* dbeta);
};

// The table for the best ISA the CPU supports (honours NAS_ISA).
const SeqKernels& seq_kernels();
// The table of one ISA; nullptr when this CPU cannot run it. For parity tests.
const SeqKernels* seq_kernels_for(Isa isa);

// Per-ISA tables, defined in seq_<isa>.cc.
const SeqKernels& seq_kernels_scalar();
const SeqKernels& seq_kernels_avx2();

}  // namespace nas::ops
