#include "ops/layers/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/kernels/layers/batch_norm_f32_kernels.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {

using layers::RowBlocks;

namespace {

// Chosen once from the CPU (NAS_ISA may pin it for tests and benchmarks).
const kernels::BatchNormF32Kernel& kernel() {
  static const kernels::BatchNormF32Kernel& k =
      kernels::batch_norm_f32_kernel(cpu_features().best);
  return k;
}

}  // namespace

int64_t BatchNorm::streaming_store_bytes() {
  // A fixed 32 MiB, the last-level cache of the CPUs this runs on (an L3 of
  // 16-32 MiB per core complex; sysconf's figure is unreliable in VMs, which
  // report 320 MiB here): an output at least this large cannot stay cached
  // until its reader runs, so streaming stores save the read of every line
  // before it is written. Smaller outputs keep plain stores: their reader
  // finds much of them in the cache.
  return int64_t{32} << 20;
}

BatchNorm::BatchNorm(const Shape& in, float eps, float momentum) : eps_(eps), momentum_(momentum) {
  c_ = in[in.rank() - 1];
  rows_ = in.numel() / c_;
  input_shapes_ = {in};
  output_shapes_ = {in};
  param_specs_ = {ParamSpec{"gamma", Shape{c_}, Init::kOnes},
                  ParamSpec{"beta", Shape{c_}, Init::kZeros}};
  running_mean_ = Tensor::empty(Shape{c_});
  running_var_ = Tensor::empty(Shape{c_});
  reset_running_stats(false);
  mean_.assign(c_, 0.0f);
  inv_std_.assign(c_, 1.0f);
  fwd_coef_.assign(2 * c_, 0.0f);
  coef_.assign(3 * c_, 0.0f);
  const int64_t blocks = RowBlocks(rows_).count;
  scratch_.assign(blocks * 2 * c_, 0.0f);
  block_sums_.assign(blocks * 2 * c_, 0.0);
  sums_.assign(2 * c_, 0.0);
  stats_observer_ = std::make_unique<RowBlockObserver>(
      rows_, blocks,
      [this](int64_t b, int64_t r0, int64_t r1) { stats_block(observed_x_, b, r0, r1, true); });
  grad_observer_ = std::make_unique<RowBlockObserver>(
      rows_, blocks, [this](int64_t b, int64_t r0, int64_t r1) {
        grad_sums_block(observed_grad_x_, observed_dy_, b, r0, r1, true);
      });
}

RowBlockObserver* BatchNorm::arm_input_stats(const float* x) {
  observed_x_ = x;
  stats_armed_ = true;
  stats_observer_->reset();
  return stats_observer_.get();
}

void BatchNorm::set_batch_stats(std::span<const double> mean, std::span<const double> var) {
  NAS_CHECK(static_cast<int64_t>(mean.size()) == c_ && static_cast<int64_t>(var.size()) == c_);
  given_stats_.resize(2 * c_);
  std::copy(mean.begin(), mean.end(), given_stats_.begin());
  std::copy(var.begin(), var.end(), given_stats_.begin() + c_);
  given_armed_ = true;
}

RowBlockObserver* BatchNorm::arm_grad_sums(const float* x, const float* dy) {
  observed_grad_x_ = x;
  observed_dy_ = dy;
  grad_armed_ = true;
  grad_observer_->reset();
  return grad_observer_.get();
}

Result<std::unique_ptr<Op>> BatchNorm::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || (inputs[0].rank() != 4 && inputs[0].rank() != 2))
    return layers::creation_error("batch_norm", inputs,
                                  "expected one input of rank 4 (NHWC) or 2 (NC)");
  const Shape& in = inputs[0];
  if (in[in.rank() - 1] < 1 || in.numel() == 0)
    return layers::creation_error("batch_norm", inputs, "expected a non-empty input");
  if (!(attrs.eps > 0.0f))
    return layers::creation_error("batch_norm", inputs,
                                  "eps must be > 0 (got " + std::to_string(attrs.eps) + ")");
  if (!(attrs.momentum >= 0.0f && attrs.momentum <= 1.0f))
    return layers::creation_error(
        "batch_norm", inputs,
        "momentum must be in [0, 1] (got " + std::to_string(attrs.momentum) + ")");
  return std::unique_ptr<Op>(new BatchNorm(in, attrs.eps, attrs.momentum));
}

OpCost BatchNorm::cost() const {
  OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
  c.flops_other = 2 * input_shapes_[0].numel();
  return c;
}

void BatchNorm::reset_running_stats(bool cumulative) {
  running_mean_.fill(0.0f);
  running_var_.fill(1.0f);
  batches_tracked_ = 0;
  cumulative_ = cumulative;
}

void BatchNorm::set_fused_activation(ActivationKind act) {
  NAS_CHECK(act == ActivationKind::kIdentity || act == ActivationKind::kRelu ||
            act == ActivationKind::kRelu6);
  fused_ = act;
}

void BatchNorm::folded_scale_shift(const float* gamma, const float* beta, float* scale,
                                   float* shift) const {
  const float* rm = running_mean_.data();
  const float* rv = running_var_.data();
  for (int64_t j = 0; j < c_; ++j) {
    const float s = gamma[j] / std::sqrt(rv[j] + eps_);
    scale[j] = s;
    shift[j] = beta[j] - rm[j] * s;
  }
}

template <typename Block>
void BatchNorm::over_blocks(const Block& block) {
  const RowBlocks blocks(rows_);
  parallel_for(blocks.count, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) block(b, blocks.begin(b), blocks.end(b));
  });
}

void BatchNorm::add_block_sums() {
  const int64_t blocks = RowBlocks(rows_).count, c = c_;
  std::fill(sums_.begin(), sums_.end(), 0.0);
  for (int64_t b = 0; b < blocks; ++b) {
    const double* s = block_sums_.data() + b * 2 * c;
    for (int64_t j = 0; j < 2 * c; ++j) sums_[j] += s[j];
  }
}

// Shifted by the block's first row: sums of (x - K) and (x - K)^2 do not
// cancel catastrophically when |mean| >> std, the input is read once, and a
// block needs nothing outside itself (a producer can finish blocks in any
// order).
void BatchNorm::stats_block(const float* x, int64_t b, int64_t r0, int64_t r1, bool cached) {
  const int64_t c = c_;
  double* s = block_sums_.data() + b * 2 * c;
  std::fill(s, s + 2 * c, 0.0);
  (cached ? kernel().stats_cached : kernel().stats)(x + r0 * c, r1 - r0, c, x + r0 * c, s, s + c, scratch_.data() + b * 2 * c);
}

void BatchNorm::grad_sums_block(const float* x, const float* dy, int64_t b, int64_t r0,
                                int64_t r1, bool cached) {
  const int64_t c = c_;
  const float* scale = fwd_coef_.data();
  double* s = block_sums_.data() + b * 2 * c;
  std::fill(s, s + 2 * c, 0.0);
  (cached ? kernel().grad_sums_cached : kernel().grad_sums)(x + r0 * c, dy + r0 * c, r1 - r0, c, mean_.data(), scale, scale + c, fused_,
                     s, s + c, scratch_.data() + b * 2 * c);
}

void BatchNorm::compute_batch_stats(const float* x) {
  const int64_t c = c_;
  const double m = static_cast<double>(rows_);
  // sums_ ends with each channel's mean at j and biased variance at c + j.
  if (given_armed_) {
    NAS_CHECK(!stats_armed_);
    given_armed_ = false;
    std::copy(given_stats_.begin(), given_stats_.end(), sums_.begin());
  } else {
    merge_block_stats(x);
    for (int64_t j = 0; j < c; ++j) sums_[c + j] = std::max(0.0, sums_[c + j] / m);
  }
  const double unbias = rows_ > 1 ? m / (m - 1.0) : 1.0;
  const double mom = cumulative_ ? 1.0 / static_cast<double>(batches_tracked_ + 1) : momentum_;
  float* rm = running_mean_.data();
  float* rv = running_var_.data();
  for (int64_t j = 0; j < c; ++j) {
    const double var = sums_[c + j];
    const double mean = sums_[j];
    mean_[j] = static_cast<float>(mean);
    inv_std_[j] = static_cast<float>(1.0 / std::sqrt(var + eps_));
    rm[j] = static_cast<float>((1.0 - mom) * rm[j] + mom * mean);
    rv[j] = static_cast<float>((1.0 - mom) * rv[j] + mom * var * unbias);
  }
  ++batches_tracked_;
}

void BatchNorm::merge_block_stats(const float* x) {
  const int64_t c = c_;
  if (stats_armed_) {
    NAS_CHECK(x == observed_x_ && stats_observer_->complete());
    stats_armed_ = false;
  } else {
    over_blocks([&](int64_t b, int64_t r0, int64_t r1) { stats_block(x, b, r0, r1, false); });
  }
  // Merge the blocks in block order: per channel, the running count n, mean
  // (sums_[j]) and sum of squared deviations (sums_[c + j]), each block's own
  // from its shifted sums: mean_b = K_b + s1/n_b, M2_b = s2 - s1^2/n_b.
  const RowBlocks blocks(rows_);
  double n = 0.0;
  for (int64_t b = 0; b < blocks.count; ++b) {
    const double nb = static_cast<double>(blocks.end(b) - blocks.begin(b));
    const double* s = block_sums_.data() + b * 2 * c;
    const float* shift = x + blocks.begin(b) * c;
    const double nn = n + nb;
    for (int64_t j = 0; j < c; ++j) {
      const double mb = shift[j] + s[j] / nb;
      const double m2b = std::max(0.0, s[c + j] - s[j] * s[j] / nb);
      if (b == 0) {
        sums_[j] = mb;
        sums_[c + j] = m2b;
      } else {
        const double delta = mb - sums_[j];
        sums_[j] += delta * (nb / nn);
        sums_[c + j] += m2b + delta * delta * (n * nb / nn);
      }
    }
    n = nn;
  }
}

void BatchNorm::forward(const OpContext& ctx, std::span<const Tensor> inputs,
                        std::span<const Tensor> params, std::span<Tensor> outputs) {
  const float* x = inputs[0].data();
  const float* gamma = params[0].data();
  const float* beta = params[1].data();
  if (ctx.training) {
    compute_batch_stats(x);
  } else {
    for (int64_t j = 0; j < c_; ++j) {
      mean_[j] = running_mean_.data()[j];
      inv_std_[j] = 1.0f / std::sqrt(running_var_.data()[j] + eps_);
    }
  }
  last_training_ = ctx.training;
  // y = act((x - mean) * scale + beta): centred first, so precise when |mean| >> std.
  // scale and beta are kept for backward, which recomputes y's activation mask.
  float* scale = fwd_coef_.data();
  float* beta_used = scale + c_;
  const float* mean = mean_.data();
  for (int64_t j = 0; j < c_; ++j) {
    scale[j] = gamma[j] * inv_std_[j];
    beta_used[j] = beta[j];
  }
  if (normalize_deferred_) {  // the reader writes y (normalize_rows)
    normalize_deferred_ = false;
    return;
  }
  float* y = outputs[0].data();
  const int64_t c = c_;
  const ActivationKind act = fused_;
  const kernels::BatchNormNormalizeFn normalize = kernel().normalize;
  const bool streaming =
      outputs[0].numel() * static_cast<int64_t>(sizeof(float)) >= streaming_store_bytes();
  parallel_for(rows_, layers::elementwise_row_grain(c), [&](int64_t r0, int64_t r1) {
    normalize(x + r0 * c, r1 - r0, c, mean, scale, beta, act, streaming, y + r0 * c);
  });
}

void BatchNorm::normalize_rows(const void* bn, const float* src, int64_t pixels, float* dst) {
  const auto* b = static_cast<const BatchNorm*>(bn);
  const float* scale = b->fwd_coef_.data();
  kernel().normalize(src, pixels, b->c_, b->mean_.data(), scale, scale + b->c_, b->fused_, false,
                        dst);
}

void BatchNorm::backward(const OpContext&, std::span<const Tensor> inputs,
                         std::span<const Tensor> params, std::span<const Tensor>,
                         std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                         std::span<Tensor> param_grads) {
  const bool want_dx = input_grads[0].defined();
  const bool want_dgamma = param_grads[0].defined();
  const bool want_dbeta = param_grads[1].defined();
  const bool training = last_training_;
  // Inference dx needs no reduction: it is dy * gamma / std.
  const bool need_sums = want_dgamma || want_dbeta || (want_dx && training);
  const float* x = inputs[0].data();
  const float* dy = output_grads[0].data();
  const ActivationKind act = fused_;
  const float* gamma = params[0].data();
  const int64_t c = c_;
  const float* mean = mean_.data();
  // The forward's coefficients: the kernels recompute the fused activation's
  // output from x with them to mask dy (the output itself is not read).
  const float* scale = fwd_coef_.data();
  const float* beta = scale + c;
  const bool armed = grad_armed_;
  grad_armed_ = false;
  if (need_sums) {
    // sums_[j] = sum g, sums_[c + j] = sum g * (x - mean), g = masked dy.
    if (armed) NAS_CHECK(x == observed_grad_x_ && dy == observed_dy_ && grad_observer_->complete());
    else over_blocks([&](int64_t b, int64_t r0, int64_t r1) { grad_sums_block(x, dy, b, r0, r1, false); });
    add_block_sums();
    for (int64_t j = 0; j < c; ++j) {
      if (want_dbeta) param_grads[1].data()[j] = static_cast<float>(sums_[j]);
      if (want_dgamma) param_grads[0].data()[j] = static_cast<float>(sums_[c + j] * inv_std_[j]);
    }
  }
  if (!want_dx) return;
  // dx = a*g + b*(x - mean) + d per channel. Training (batch statistics):
  // dx = k*(g - sum(g)/M - xhat * sum(g*xhat)/M), k = gamma/std, centred, so
  // no cancellation when |mean| >> std. Inference: dx = k*g (b = d = 0).
  float* a = coef_.data();
  float* b = a + c;
  float* d = b + c;
  const double m = static_cast<double>(rows_);
  for (int64_t j = 0; j < c; ++j) {
    const double k = static_cast<double>(gamma[j]) * inv_std_[j];
    const double inv = inv_std_[j];
    a[j] = static_cast<float>(k);
    b[j] = training ? static_cast<float>(-k * inv * inv * sums_[c + j] / m) : 0.0f;
    d[j] = training ? static_cast<float>(-k * sums_[j] / m) : 0.0f;
  }
  // dx may be dy itself (the executor runs BN backward in place): each
  // element of dy is read before its dx is written, and the sums above are done.
  float* dx = input_grads[0].data();
  const kernels::BatchNormGradInputFn grad_input = kernel().grad_input;
  parallel_for(rows_, layers::elementwise_row_grain(c), [&](int64_t r0, int64_t r1) {
    grad_input(x + r0 * c, dy + r0 * c, r1 - r0, c, mean, scale, beta, a, b, d, act,
               dx + r0 * c);
  });
}

}  // namespace nas::ops
