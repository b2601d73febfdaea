// LinearOutputStats: the per-channel batch mean and biased variance of the
// output y = W x (+ b) of a linear map applied to every row of x [rows, in_c]
// (a 1x1 conv with stride 1, no padding, one group, or a linear layer),
// computed from x alone:
//   mean_y[o] = w_o . mean_x (+ b[o]),   var_y[o] = w_o^T Cov(x) w_o,
// Cov(x) being the biased (1/rows) covariance of x's channels. For a training
// BatchNorm that follows such a conv (BatchNorm::set_batch_stats) this
// replaces a read of the out_c-channel output by about in_c^2 / 2 products per
// row of the smaller input (nas/graph/network.h,
// NetworkOptions::batch_norm_stats_from_input).
//
// Precision: the statistics are those of the exact W x (+ b), not of the
// float32 y a conv writes (which carries the conv's rounding), so they match a
// pass over y to about float32 precision relative to ||w_o||^2 ||Cov(x)||,
// not bit for bit. A w_o nearly orthogonal to the spread of x (var_y far
// below that scale) gets a variance with that absolute error; it is clamped
// at 0.
//
// Method and determinism: the rows are split into BatchNorm's fixed blocks
// (layers::RowBlocks, a partition that depends only on `rows`); per block, the
// kernel (ops/kernels/layers/cov_sums_f32_*) sums v = x - K_b and v v^T with
// the block's first row as the shift K_b, so no cancellation when |mean| >>
// std; the blocks' means and co-moment matrices are merged in block order in
// double (Chan et al.'s pairwise update). Blocks run in parallel on the
// project's pool (ops/core/parallel.h), each on its own state: the results
// are bit-identical on any thread count, and on any ISA (the kernels' parity).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace nas::ops {

class LinearOutputStats {
 public:
  // For inputs of `rows` rows of `in_c` channels: sizes the state once.
  // REQUIRES: rows >= 1, in_c >= 1.
  LinearOutputStats(int64_t rows, int64_t in_c);

  int64_t rows() const { return rows_; }
  int64_t in_c() const { return in_c_; }

  // The statistics of y[r, o] = sum_i w[o * in_c + i] * x[r, i] (+ bias[o])
  // over the rows: writes out_c means to mean_y and out_c biased variances
  // (>= 0) to var_y, in double. x: rows x in_c floats, rows contiguous; w:
  // out_c x in_c (a 1x1 conv's [out_c, 1, 1, in_c] weight); bias: out_c
  // floats, or null for none. Not thread-safe (it writes this object's
  // state); runs its blocks on the pool and returns when done.
  void compute(const float* x, const float* w, const float* bias, int64_t out_c, double* mean_y,
               double* var_y);

  // The input's statistics from the last compute(): per-channel means
  // [in_c] and the biased covariance [in_c x in_c], symmetric, row-major.
  std::span<const double> input_mean() const { return mean_; }
  std::span<const double> input_covariance() const { return cov_; }

 private:
  int64_t rows_, in_c_;
  // Per block: in_c shifted sums, then in_c x in_c sums of products (upper
  // triangle used).
  std::vector<double> block_sums_;
  std::vector<double> mean_, cov_, scratch_;
};

// Whether deriving a BatchNorm's statistics from a 1x1 conv's in_c-channel
// input (this class) is expected to cost less than reading the conv's
// out_c-channel output from memory (BatchNorm's own statistics pass), for an
// output too large for the caches. The rule and its measurements: see the
// definition.
bool linear_output_stats_pays(int64_t in_c, int64_t out_c);

}  // namespace nas::ops
