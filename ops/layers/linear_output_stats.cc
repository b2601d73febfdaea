#include "ops/layers/linear_output_stats.h"

#include <algorithm>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/core/status.h"
#include "ops/core/workspace.h"
#include "ops/kernels/layers/cov_sums_f32_kernels.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {

using layers::RowBlocks;

namespace {

// Chosen once from the CPU (NAS_ISA may pin it for tests and benchmarks).
const kernels::CovSumsF32Kernel& kernel() {
  static const kernels::CovSumsF32Kernel& k = kernels::cov_sums_f32_kernel(cpu_features().best);
  return k;
}

}  // namespace

LinearOutputStats::LinearOutputStats(int64_t rows, int64_t in_c) : rows_(rows), in_c_(in_c) {
  NAS_CHECK(rows >= 1 && in_c >= 1);
  block_sums_.assign(RowBlocks(rows).count * (in_c + in_c * in_c), 0.0);
  mean_.assign(in_c, 0.0);
  cov_.assign(in_c * in_c, 0.0);
  scratch_.assign(in_c, 0.0);
}

void LinearOutputStats::compute(const float* x, const float* w, const float* bias, int64_t out_c,
                                double* mean_y, double* var_y) {
  const int64_t k = in_c_, per_block = k + k * k;
  const RowBlocks blocks(rows_);
  // Each block on its own: its sums, from its own first row as the shift.
  parallel_for(blocks.count, 1, [&](int64_t b0, int64_t b1) {
    ScratchScope scope;
    float* scratch = scope.alloc_floats(kernels::cov_sums_scratch_floats(k));
    for (int64_t b = b0; b < b1; ++b) {
      double* s = block_sums_.data() + b * per_block;
      std::fill(s, s + per_block, 0.0);
      const float* xb = x + blocks.begin(b) * k;
      kernel().sums(xb, blocks.end(b) - blocks.begin(b), k, xb, s, s + k, scratch);
    }
  });
  // Merge in block order (upper triangles): the running count n, mean (mean_)
  // and co-moment matrix (cov_); each block's own from its shifted sums:
  // mean_b = K_b + s1/n_b, M2_b = S2 - s1 s1^T / n_b.
  double n = 0.0;
  double* delta = scratch_.data();
  for (int64_t b = 0; b < blocks.count; ++b) {
    const double nb = static_cast<double>(blocks.end(b) - blocks.begin(b));
    const double* s1 = block_sums_.data() + b * per_block;
    const double* s2 = s1 + k;
    const float* shift = x + blocks.begin(b) * k;
    const double nn = n + nb;
    for (int64_t i = 0; i < k; ++i) {
      const double mb = shift[i] + s1[i] / nb;
      delta[i] = b == 0 ? mb : mb - mean_[i];
      mean_[i] = b == 0 ? mb : mean_[i] + delta[i] * (nb / nn);
    }
    const double f = n * nb / nn;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = i; j < k; ++j) {
        const double m2b = s2[i * k + j] - s1[i] * s1[j] / nb;
        cov_[i * k + j] = b == 0 ? m2b : cov_[i * k + j] + m2b + delta[i] * delta[j] * f;
      }
    n = nn;
  }
  const double inv_rows = 1.0 / static_cast<double>(rows_);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i; j < k; ++j) {
      cov_[i * k + j] *= inv_rows;
      cov_[j * k + i] = cov_[i * k + j];
    }
  // y's statistics, one output channel at a time: u = Cov w_o, var = w_o . u.
  for (int64_t o = 0; o < out_c; ++o) {
    const float* wo = w + o * k;
    double m = bias != nullptr ? static_cast<double>(bias[o]) : 0.0;
    double v = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      m += static_cast<double>(wo[i]) * mean_[i];
      const double* ci = cov_.data() + i * k;
      double u = 0.0;
      for (int64_t j = 0; j < k; ++j) u += ci[j] * static_cast<double>(wo[j]);
      v += static_cast<double>(wo[i]) * u;
    }
    mean_y[o] = m;
    var_y[o] = std::max(0.0, v);
  }
}

bool linear_output_stats_pays(int64_t in_c, int64_t out_c) {
  // The covariance pass is compute-bound (about in_c^2 / 2 multiply-adds a
  // row, in 8 x 8 register blocks), BatchNorm's statistics pass over y
  // memory-bound (out_c floats a row). Measured on this project's VM (AMD
  // EPYC Zen 4, 1 thread, both inputs from memory, 25k-100k rows; median of
  // 7), time of this class over time of BatchNorm's pass, by in_c^2 / out_c:
  // 1.33: 0.33 | 2.67 (16 -> 96): 0.38 | 4 (24 -> 144): 0.50-0.53 | 5.33
  // (32 -> 192): 0.56-0.71 | 8: 0.91-1.07 | 10.7: 1.25-1.46 | 16: 1.8 |
  // 21: 2.2. Break-even is near 8; 6 keeps a clear margin and takes every
  // expand conv of an MBv2 block (expansion 6: in_c^2 / out_c = in_c / 6).
  return in_c * in_c <= 6 * out_c;
}

}  // namespace nas::ops
