#include "ops/layers/global_avg_pool.h"

#include <algorithm>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {

void global_avg_pool_forward(const float* x, int64_t n, int64_t hw, int64_t c, float* y) {
  const float inv = 1.0f / static_cast<float>(hw);
  // One image per task: its H*W rows are summed in order, so the result does
  // not depend on the thread count.
  parallel_for(n, 1, [&](int64_t n0, int64_t n1) {
    for (int64_t i = n0; i < n1; ++i) {
      float* yo = y + i * c;
      std::fill(yo, yo + c, 0.0f);
      const float* xi = x + i * hw * c;
      for (int64_t p = 0; p < hw; ++p, xi += c)
        for (int64_t j = 0; j < c; ++j) yo[j] += xi[j];
      for (int64_t j = 0; j < c; ++j) yo[j] *= inv;
    }
  });
}

void global_avg_pool_backward(const float* dy, int64_t n, int64_t hw, int64_t c, float* dx) {
  const float inv = 1.0f / static_cast<float>(hw);
  parallel_for(n * hw, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = dy + (r / hw) * c;
      float* d = dx + r * c;
      for (int64_t j = 0; j < c; ++j) d[j] = g[j] * inv;
    }
  });
}

namespace {

class GlobalAvgPool final : public Op {
 public:
  explicit GlobalAvgPool(const Shape& in) {
    input_shapes_ = {in};
    output_shapes_ = {Shape{in[0], 1, 1, in[3]}};
  }
  const char* name() const override { return "global_avg_pool"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = input_shapes_[0].numel() + output_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    const Shape& s = input_shapes_[0];
    global_avg_pool_forward(inputs[0].data(), s[0], s[1] * s[2], s[3], outputs[0].data());
  }

  void backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (!input_grads[0].defined()) return;
    const Shape& s = input_shapes_[0];
    global_avg_pool_backward(output_grads[0].data(), s[0], s[1] * s[2], s[3],
                             input_grads[0].data());
  }
};

}  // namespace

Result<std::unique_ptr<Op>> create_global_avg_pool(const OpAttrs&, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 4 || inputs[0].numel() == 0)
    return layers::creation_error("global_avg_pool", inputs,
                                  "expected one non-empty NHWC input of rank 4");
  return std::unique_ptr<Op>(std::make_unique<GlobalAvgPool>(inputs[0]));
}

}  // namespace nas::ops
