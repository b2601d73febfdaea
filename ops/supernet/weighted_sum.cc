#include "ops/supernet/weighted_sum.h"

#include <cmath>

#include "ops/core/parallel.h"
#include "ops/supernet/zero.h"

namespace nas::ops {
namespace {

class WeightedSum : public Op {
 public:
  explicit WeightedSum(std::span<const Shape> inputs) {
    input_shapes_.assign(inputs.begin(), inputs.end());
    output_shapes_ = {inputs[0]};
    const int64_t k = static_cast<int64_t>(inputs.size());
    param_specs_ = {ParamSpec{"alpha", Shape{k}, Init::kZeros, k, k, ParamKind::kArchitecture}};
  }
  const char* name() const override { return "weighted_sum"; }

  OpCost cost() const override {
    const int64_t k = static_cast<int64_t>(input_shapes_.size());
    const int64_t n = output_shapes_[0].numel();
    OpCost c;
    c.macs = k * n;
    c.flops_other = 3 * k;  // softmax
    c.bytes_read = (k * n + k) * 4;
    c.bytes_written = n * 4;
    c.params = k;
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> in, std::span<const Tensor> params,
               std::span<Tensor> out) override {
    const int k = static_cast<int>(in.size());
    const std::vector<double> w = softmax_weights(params[0].data(), k);
    float* y = out[0].data();
    const int64_t n = out[0].numel();
    parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t j = b; j < e; ++j) y[j] = 0.0f;
      for (int i = 0; i < k; ++i) {
        const float wi = static_cast<float>(w[i]);
        const float* x = in[i].data();
        for (int64_t j = b; j < e; ++j) y[j] += wi * x[j];
      }
    });
  }

  void backward(const OpContext&, std::span<const Tensor> in, std::span<const Tensor> params,
                std::span<const Tensor>, std::span<const Tensor> dout, std::span<Tensor> din,
                std::span<Tensor> dparams) override {
    const int k = static_cast<int>(in.size());
    const std::vector<double> w = softmax_weights(params[0].data(), k);
    const float* dy = dout[0].data();
    const int64_t n = dout[0].numel();
    for (int i = 0; i < k; ++i) {
      if (!din[i].defined()) continue;
      float* dx = din[i].data();
      const float wi = static_cast<float>(w[i]);
      for (int64_t j = 0; j < n; ++j) dx[j] = wi * dy[j];
    }
    if (!dparams[0].defined()) return;
    std::vector<double> g(k, 0.0);
    for (int i = 0; i < k; ++i) {
      const float* x = in[i].data();
      double acc = 0.0;
      for (int64_t j = 0; j < n; ++j) acc += static_cast<double>(dy[j]) * x[j];
      g[i] = acc;
    }
    double mean = 0.0;
    for (int i = 0; i < k; ++i) mean += w[i] * g[i];
    for (int i = 0; i < k; ++i) dparams[0].data()[i] = static_cast<float>(w[i] * (g[i] - mean));
  }
};

}  // namespace

std::vector<double> softmax_weights(const float* alpha, int k) {
  double mx = alpha[0];
  for (int i = 1; i < k; ++i) mx = std::max<double>(mx, alpha[i]);
  std::vector<double> w(k);
  double sum = 0.0;
  for (int i = 0; i < k; ++i) sum += w[i] = std::exp(alpha[i] - mx);
  for (double& v : w) v /= sum;
  return w;
}

void register_supernet_ops(OpRegistry& registry) {
  register_zero_op(registry);
  registry.add({"weighted_sum", "DARTS mixed op: inputs summed with softmax(alpha) weights",
                [](const OpAttrs&, std::span<const Shape> inputs) -> Result<std::unique_ptr<Op>> {
                  if (inputs.empty())
                    return Status::error("failed to create weighted_sum: it needs at least one input");
                  for (const Shape& s : inputs)
                    if (!(s == inputs[0]))
                      return Status::error("failed to create weighted_sum with inputs " +
                                           inputs[0].str() + " and " + s.str() +
                                           ": all inputs must have the same shape");
                  return std::unique_ptr<Op>(new WeightedSum(inputs));
                }});
}

}  // namespace nas::ops
