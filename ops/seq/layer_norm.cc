#include "ops/seq/layer_norm.h"

#include <algorithm>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/kernels/seq/seq_kernels.h"

namespace nas::ops {
namespace {
// dgamma / dbeta are summed over rows in this many fixed row groups, then the
// groups in order: the result does not depend on the thread count.
constexpr int64_t kGroups = 16;
}  // namespace

Result<std::unique_ptr<Op>> LayerNorm::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() < 1 || inputs[0].numel() < 1)
    return Status::error("failed to create layer_norm: expected one non-empty input");
  if (!(attrs.eps > 0.0f))
    return Status::error("failed to create layer_norm with eps " + std::to_string(attrs.eps) +
                         ": must be > 0");
  return std::unique_ptr<Op>(new LayerNorm(inputs[0], attrs.eps));
}

LayerNorm::LayerNorm(const Shape& input, float eps) : eps_(eps) {
  dim_ = input[input.rank() - 1];
  rows_ = input.numel() / dim_;
  input_shapes_ = {input};
  output_shapes_ = {input};
  param_specs_.push_back({"gamma", Shape{dim_}, Init::kOnes});
  param_specs_.push_back({"beta", Shape{dim_}, Init::kZeros});
}

OpCost LayerNorm::cost() const {
  OpCost c;
  const int64_t n = rows_ * dim_;
  c.params = 2 * dim_;
  c.macs = n;              // the gamma scale
  c.flops_other = 5 * n;   // mean, variance (sub, square, add), normalise, beta
  c.bytes_read = (n + c.params) * 4;
  c.bytes_written = n * 4;
  return c;
}

void LayerNorm::forward(const OpContext&, std::span<const Tensor> inputs,
                        std::span<const Tensor> params, std::span<Tensor> outputs) {
  if (!mean_.defined()) {
    mean_ = Tensor::empty(Shape{rows_});
    rstd_ = Tensor::empty(Shape{rows_});
  }
  const SeqKernels& k = seq_kernels();
  const float* x = inputs[0].data();
  float* y = outputs[0].data();
  const float* gamma = params[0].data();
  const float* beta = params[1].data();
  // Outputs well past the last-level cache go out with streaming stores.
  const bool stream = rows_ * dim_ * static_cast<int64_t>(sizeof(float)) > (int64_t{32} << 20);
  parallel_for(rows_, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      k.layer_norm_forward(x + r * dim_, y + r * dim_, dim_, gamma, beta, eps_,
                           mean_.data() + r, rstd_.data() + r, stream);
  });
}

void LayerNorm::backward(const OpContext&, std::span<const Tensor> inputs,
                         std::span<const Tensor> params, std::span<const Tensor>,
                         std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                         std::span<Tensor> param_grads) {
  const SeqKernels& k = seq_kernels();
  const float* x = inputs[0].data();
  const float* dy = output_grads[0].data();
  const float* gamma = params[0].data();
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  const bool want_params = param_grads.size() == 2 &&
                           (param_grads[0].defined() || param_grads[1].defined());
  if (!partials_.defined()) partials_ = Tensor::empty(Shape{kGroups, 2, dim_});
  const int64_t groups = std::min(kGroups, rows_);
  parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) {
      float* dgamma = partials_.data() + g * 2 * dim_;
      float* dbeta = dgamma + dim_;
      std::fill(dgamma, dgamma + 2 * dim_, 0.0f);
      const int64_t r0 = rows_ * g / groups, r1 = rows_ * (g + 1) / groups;
      for (int64_t r = r0; r < r1; ++r)
        k.layer_norm_backward(x + r * dim_, dy + r * dim_, dx ? dx + r * dim_ : nullptr, dim_,
                              gamma, mean_.data()[r], rstd_.data()[r],
                              want_params ? dgamma : nullptr, want_params ? dbeta : nullptr);
    }
  });
  if (!want_params) return;
  for (int p = 0; p < 2; ++p) {
    if (!param_grads[p].defined()) continue;
    float* out = param_grads[p].data();
    std::memcpy(out, partials_.data() + p * dim_, dim_ * sizeof(float));
    for (int64_t g = 1; g < groups; ++g) {
      const float* part = partials_.data() + (g * 2 + p) * dim_;
      for (int64_t c = 0; c < dim_; ++c) out[c] += part[c];
    }
  }
}

}  // namespace nas::ops
