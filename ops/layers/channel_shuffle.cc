#include "ops/layers/channel_shuffle.h"

#include <string>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

class ChannelShuffle final : public Op {
 public:
  ChannelShuffle(const Shape& in, int64_t groups) : g_(groups) {
    c_ = in[in.rank() - 1];
    rows_ = in.numel() / c_;
    input_shapes_ = {in};
    output_shapes_ = {in};
  }
  const char* name() const override { return "channel_shuffle"; }
  OpCost cost() const override {
    return layers::io_cost(input_shapes_, output_shapes_, param_specs_);
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    permute(inputs[0].data(), outputs[0].data(), false);
  }

  void backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (input_grads[0].defined()) permute(output_grads[0].data(), input_grads[0].data(), true);
  }

 private:
  // Forward: out[j*g + i] = in[i*cpg + j]; inverse: out[i*cpg + j] = in[j*g + i].
  void permute(const float* src, float* dst, bool inverse) const {
    const int64_t c = c_, g = g_, cpg = c_ / g_;
    parallel_for(rows_, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* s = src + r * c;
        float* d = dst + r * c;
        for (int64_t i = 0; i < g; ++i)
          for (int64_t j = 0; j < cpg; ++j) {
            if (inverse) {
              d[i * cpg + j] = s[j * g + i];
            } else {
              d[j * g + i] = s[i * cpg + j];
            }
          }
      }
    });
  }

  int64_t g_, c_ = 0, rows_ = 0;
};

}  // namespace

Result<std::unique_ptr<Op>> create_channel_shuffle(const OpAttrs& attrs,
                                                   std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() < 1 || inputs[0].numel() == 0)
    return layers::creation_error("channel_shuffle", inputs,
                                  "expected one non-empty input of rank >= 1");
  const int64_t c = inputs[0][inputs[0].rank() - 1];
  const int64_t g = attrs.shuffle_groups;
  if (g < 1 || c % g != 0)
    return layers::creation_error("channel_shuffle", inputs,
                                  "shuffle_groups " + std::to_string(g) +
                                      " must be >= 1 and divide the " + std::to_string(c) +
                                      " channels");
  return std::unique_ptr<Op>(std::make_unique<ChannelShuffle>(inputs[0], g));
}

}  // namespace nas::ops
