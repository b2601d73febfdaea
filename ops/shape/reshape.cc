#include "ops/shape/reshape.h"

#include <algorithm>

#include "ops/core/parallel.h"

namespace nas::ops {
namespace {

// A plain copy, split into fixed chunks (any thread count, same result).
void copy_floats(const float* src, int64_t n, float* dst) {
  constexpr int64_t kChunk = int64_t{1} << 14;
  parallel_for((n + kChunk - 1) / kChunk, 1, [&](int64_t c0, int64_t c1) {
    const int64_t b = c0 * kChunk, e = std::min(n, c1 * kChunk);
    std::copy(src + b, src + e, dst + b);
  });
}

class Reshape final : public Op {
 public:
  Reshape(const Shape& in, const Shape& out) {
    input_shapes_ = {in};
    output_shapes_ = {out};
  }
  const char* name() const override { return "reshape"; }

  OpCost cost() const override {
    OpCost c;
    c.bytes_read = 4 * input_shapes_[0].numel();
    c.bytes_written = 4 * output_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    copy_floats(inputs[0].data(), inputs[0].numel(), outputs[0].data());
  }

  void backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (!input_grads[0].defined()) return;
    copy_floats(output_grads[0].data(), output_grads[0].numel(), input_grads[0].data());
  }
};

}  // namespace

Result<std::unique_ptr<Op>> create_reshape(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() < 1)
    return Status::error("failed to create reshape: expected one input of rank >= 1");
  const Shape& in = inputs[0];
  const std::string what = "failed to create reshape with input " + in.str();
  if (attrs.shape.empty() || static_cast<int>(attrs.shape.size()) >= Shape::kMaxRank)
    return Status::error(what + ": shape needs 1 to " + std::to_string(Shape::kMaxRank - 1) +
                         " dimensions, got " + std::to_string(attrs.shape.size()));
  Shape out{in[0]};
  for (int64_t d : attrs.shape) {
    if (d < 1) return Status::error(what + ": shape dimensions must be >= 1");
    out.push_back(d);
  }
  if (out.numel() != in.numel())
    return Status::error(what + ": target " + out.str() + " holds " + std::to_string(out.numel()) +
                         " values, the input " + std::to_string(in.numel()));
  return std::unique_ptr<Op>(new Reshape(in, out));
}

void register_shape_ops(OpRegistry& registry) {
  registry.add({"reshape", "same values, another per-sample shape (shape; batch kept)",
                create_reshape});
}

}  // namespace nas::ops
