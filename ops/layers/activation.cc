#include "ops/layers/activation.h"

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

class ActivationOp final : public Op {
 public:
  ActivationOp(ActivationKind kind, const Shape& shape) : kind_(kind) {
    input_shapes_ = {shape};
    output_shapes_ = {shape};
  }
  const char* name() const override { return activation_name(kind_); }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = input_shapes_[0].numel() * activation_flops(kind_);
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    const float* x = inputs[0].data();
    float* y = outputs[0].data();
    parallel_for(inputs[0].numel(), layers::kElementwiseGrain,
                 [&](int64_t b, int64_t e) { activation_forward(kind_, x + b, y + b, e - b); });
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (!input_grads[0].defined()) return;
    const float* x = inputs[0].data();
    const float* dy = output_grads[0].data();
    float* dx = input_grads[0].data();
    parallel_for(inputs[0].numel(), layers::kElementwiseGrain, [&](int64_t b, int64_t e) {
      activation_backward(kind_, x + b, dy + b, dx + b, e - b);
    });
  }

 private:
  ActivationKind kind_;
};

}  // namespace

Result<std::unique_ptr<Op>> create_activation(ActivationKind kind, const OpAttrs&,
                                              std::span<const Shape> inputs) {
  NAS_CHECK(kind != ActivationKind::kIdentity);
  if (inputs.size() != 1)
    return layers::creation_error(activation_name(kind), inputs, "expected exactly one input");
  return std::unique_ptr<Op>(std::make_unique<ActivationOp>(kind, inputs[0]));
}

}  // namespace nas::ops
