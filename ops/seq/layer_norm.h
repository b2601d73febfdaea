// "layer_norm": normalises the last dimension, y = (x - mean) / sqrt(var + eps)
// * gamma + beta, with the biased variance (as PyTorch). Any rank >= 1; D =
// last dimension. Params gamma [D] (ones), beta [D] (zeros). Saves the row
// mean and 1/std for backward.
#pragma once

#include <memory>
#include <span>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"

namespace nas::ops {

class LayerNorm final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "layer_norm"; }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  LayerNorm(const Shape& input, float eps);
  int64_t rows_, dim_;
  float eps_;
  Tensor mean_, rstd_;     // [rows], from the last forward
  Tensor partials_;        // [kGroups, 2, D] backward partial sums
};

}  // namespace nas::ops
