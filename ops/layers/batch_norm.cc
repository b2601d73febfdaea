#include "ops/layers/batch_norm.h"

#include <cmath>
#include <string>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {

using layers::RowBlocks;

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
  coef_.assign(3 * c_, 0.0f);
  partials_.assign(RowBlocks(rows_).count * 2 * c_, 0.0f);
  sums_.assign(2 * c_, 0.0);
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

// One pass with a per-channel shift (the first row): sums of (x - K) and
// (x - K)^2 do not cancel catastrophically when |mean| >> std, and the input
// is read once instead of twice.
void BatchNorm::compute_batch_stats(const float* x) {
  const int64_t c = c_;
  const float* shift = x;  // row 0
  reduce_rows(RowBlocks(rows_), 2 * c, partials_.data(), sums_.data(),
              [&](int64_t r0, int64_t r1, float* acc) {
                float* s1 = acc;
                float* s2 = acc + c;
                for (int64_t r = r0; r < r1; ++r) {
                  const float* xr = x + r * c;
                  for (int64_t j = 0; j < c; ++j) {
                    const float d = xr[j] - shift[j];
                    s1[j] += d;
                    s2[j] += d * d;
                  }
                }
              });
  const double m = static_cast<double>(rows_);
  const double unbias = rows_ > 1 ? m / (m - 1.0) : 1.0;
  const double mom = cumulative_ ? 1.0 / static_cast<double>(batches_tracked_ + 1) : momentum_;
  float* rm = running_mean_.data();
  float* rv = running_var_.data();
  for (int64_t j = 0; j < c; ++j) {
    const double d1 = sums_[j] / m;
    const double var = std::max(0.0, sums_[c + j] / m - d1 * d1);
    const double mean = shift[j] + d1;
    mean_[j] = static_cast<float>(mean);
    inv_std_[j] = static_cast<float>(1.0 / std::sqrt(var + eps_));
    rm[j] = static_cast<float>((1.0 - mom) * rm[j] + mom * mean);
    rv[j] = static_cast<float>((1.0 - mom) * rv[j] + mom * var * unbias);
  }
  ++batches_tracked_;
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
  // y = (x - mean) * scale + beta: centred first, so precise when |mean| >> std.
  float* scale = coef_.data();
  const float* mean = mean_.data();
  for (int64_t j = 0; j < c_; ++j) scale[j] = gamma[j] * inv_std_[j];
  float* y = outputs[0].data();
  const int64_t c = c_;
  parallel_for(rows_, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (int64_t j = 0; j < c; ++j) yr[j] = (xr[j] - mean[j]) * scale[j] + beta[j];
    }
  });
}

void BatchNorm::backward(const OpContext&, std::span<const Tensor> inputs,
                         std::span<const Tensor> params, std::span<const Tensor>,
                         std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                         std::span<Tensor> param_grads) {
  const bool want_dx = input_grads[0].defined();
  const bool want_dgamma = param_grads[0].defined();
  const bool want_dbeta = param_grads[1].defined();
  const bool training = last_training_;
  // Inference dx needs no reduction: it is dy * scale.
  const bool need_sums = want_dgamma || want_dbeta || (want_dx && training);
  const float* x = inputs[0].data();
  const float* dy = output_grads[0].data();
  const float* gamma = params[0].data();
  const int64_t c = c_;
  const float* mean = mean_.data();
  if (!training && want_dx) {
    // Inference: dx = dy * gamma / std needs no statistics, so it is written
    // in the same pass as the gamma/beta sums (dy read once).
    float* k = coef_.data();
    for (int64_t j = 0; j < c; ++j) k[j] = gamma[j] * inv_std_[j];
    float* dx = input_grads[0].data();
    auto write_dx = [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* gr = dy + r * c;
        float* dr = dx + r * c;
        for (int64_t j = 0; j < c; ++j) dr[j] = k[j] * gr[j];
      }
    };
    if (!need_sums) {
      parallel_for(rows_, layers::row_grain(c), write_dx);
      return;
    }
    reduce_rows(RowBlocks(rows_), 2 * c, partials_.data(), sums_.data(),
                [&](int64_t r0, int64_t r1, float* acc) {
                  float* s1 = acc;
                  float* s2 = acc + c;
                  for (int64_t r = r0; r < r1; ++r) {
                    const float* xr = x + r * c;
                    const float* gr = dy + r * c;
                    for (int64_t j = 0; j < c; ++j) {
                      s1[j] += gr[j];
                      s2[j] += gr[j] * (xr[j] - mean[j]);
                    }
                  }
                  write_dx(r0, r1);
                });
    for (int64_t j = 0; j < c; ++j) {
      if (want_dbeta) param_grads[1].data()[j] = static_cast<float>(sums_[j]);
      if (want_dgamma) param_grads[0].data()[j] = static_cast<float>(sums_[c + j] * inv_std_[j]);
    }
    return;
  }
  if (need_sums) {
    // sums_[j] = sum dy, sums_[c + j] = sum dy * (x - mean).
    reduce_rows(RowBlocks(rows_), 2 * c, partials_.data(), sums_.data(),
                [&](int64_t r0, int64_t r1, float* acc) {
                  float* s1 = acc;
                  float* s2 = acc + c;
                  for (int64_t r = r0; r < r1; ++r) {
                    const float* xr = x + r * c;
                    const float* gr = dy + r * c;
                    for (int64_t j = 0; j < c; ++j) {
                      s1[j] += gr[j];
                      s2[j] += gr[j] * (xr[j] - mean[j]);
                    }
                  }
                });
    for (int64_t j = 0; j < c; ++j) {
      if (want_dbeta) param_grads[1].data()[j] = static_cast<float>(sums_[j]);
      if (want_dgamma) param_grads[0].data()[j] = static_cast<float>(sums_[c + j] * inv_std_[j]);
    }
  }
  if (!want_dx) return;
  // Training (batch statistics): dx = k*(dy - sum(dy)/M - xhat * sum(dy*xhat)/M),
  // k = gamma/std, as dx = a*dy + b*(x - mean) + d per channel (centred, so
  // no cancellation when |mean| >> std).
  float* a = coef_.data();
  float* b = a + c;
  float* d = b + c;
  const double m = static_cast<double>(rows_);
  for (int64_t j = 0; j < c; ++j) {
    const double k = static_cast<double>(gamma[j]) * inv_std_[j];
    const double inv = inv_std_[j];
    const double bj = -k * inv * inv * sums_[c + j] / m;
    a[j] = static_cast<float>(k);
    b[j] = static_cast<float>(bj);
    d[j] = static_cast<float>(-k * sums_[j] / m);
  }
  float* dx = input_grads[0].data();
  parallel_for(rows_, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * c;
      const float* gr = dy + r * c;
      float* dr = dx + r * c;
      for (int64_t j = 0; j < c; ++j) dr[j] = a[j] * gr[j] + b[j] * (xr[j] - mean[j]) + d[j];
    }
  });
}

}  // namespace nas::ops
