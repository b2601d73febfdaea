#include "ops/layers/dropout.h"

#include <algorithm>
#include <string>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/kernels/layers/dropout_f32_kernels.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

// Chosen once from the CPU; every ISA gives the same mask.
const kernels::DropoutF32Kernel& kernel() {
  static const kernels::DropoutF32Kernel& k = kernels::dropout_f32_kernel(cpu_features().best);
  return k;
}

class Dropout final : public Op {
 public:
  Dropout(const Shape& in, float p) : p_(p) {
    input_shapes_ = {in};
    output_shapes_ = {in};
  }
  const char* name() const override { return "dropout"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = input_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext& ctx, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    apply(ctx, inputs[0].data(), outputs[0].data(), inputs[0].numel());
  }

  void backward(const OpContext& ctx, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (input_grads[0].defined())
      apply(ctx, output_grads[0].data(), input_grads[0].data(), output_grads[0].numel());
  }

 private:
  // Forward and backward are the same masked scaling.
  void apply(const OpContext& ctx, const float* src, float* dst, int64_t n) const {
    if (!ctx.training || p_ == 0.0f) {
      if (src != dst)
        parallel_for(n, kGrain,
                     [&](int64_t b, int64_t e) { std::copy(src + b, src + e, dst + b); });
      return;
    }
    const uint32_t thr = kernels::dropout_threshold(p_);
    const float scale = 1.0f / (1.0f - p_);
    const kernels::DropoutKeys keys = kernels::dropout_keys(ctx.seed);
    const kernels::DropoutF32Fn fn = kernel().fn;
    parallel_for(n, kGrain, [&](int64_t b, int64_t e) { fn(keys, thr, scale, src, dst, b, e); });
  }

  static constexpr int64_t kGrain = int64_t{1} << 14;
  float p_;
};

}  // namespace

bool dropout_keep(uint64_t seed, int64_t index, float p) {
  return kernels::dropout_keep_element(kernels::dropout_keys(seed), kernels::dropout_threshold(p),
                                       static_cast<uint32_t>(index));
}

Result<std::unique_ptr<Op>> create_dropout(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1)
    return layers::creation_error("dropout", inputs, "expected exactly one input");
  if (inputs[0].numel() > (int64_t{1} << 32))
    return layers::creation_error("dropout", inputs, "expected at most 2^32 elements");
  if (!(attrs.probability >= 0.0f && attrs.probability < 1.0f))
    return layers::creation_error(
        "dropout", inputs,
        "probability must be in [0, 1) (got " + std::to_string(attrs.probability) + ")");
  return std::unique_ptr<Op>(std::make_unique<Dropout>(inputs[0], attrs.probability));
}

}  // namespace nas::ops
