#include "ops/supernet/zero.h"

#include <algorithm>

namespace nas::ops {
namespace {

class Zero : public Op {
 public:
  Zero(const Shape& in, int stride) {
    input_shapes_ = {in};
    output_shapes_ = {Shape{in[0], (in[1] - 1) / stride + 1, (in[2] - 1) / stride + 1, in[3]}};
  }
  const char* name() const override { return "zero"; }

  OpCost cost() const override {
    OpCost c;
    c.bytes_written = output_shapes_[0].numel() * 4;  // the input is never read
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
               std::span<Tensor> out) override {
    std::fill_n(out[0].data(), out[0].numel(), 0.0f);
  }

  void backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor>, std::span<Tensor> din,
                std::span<Tensor>) override {
    if (din[0].defined()) std::fill_n(din[0].data(), din[0].numel(), 0.0f);
  }
};

}  // namespace

void register_zero_op(OpRegistry& registry) {
  registry.add({"zero", "an edge that outputs zeros (NAS-Bench-201/DARTS none; stride)",
                [](const OpAttrs& attrs, std::span<const Shape> inputs) -> Result<std::unique_ptr<Op>> {
                  if (inputs.size() != 1 || inputs[0].rank() != 4)
                    return Status::error("failed to create zero: expected one [N,H,W,C] input");
                  if (attrs.stride < 1)
                    return Status::error("failed to create zero: stride must be >= 1, got " +
                                         std::to_string(attrs.stride));
                  return std::unique_ptr<Op>(new Zero(inputs[0], attrs.stride));
                }});
}

}  // namespace nas::ops
