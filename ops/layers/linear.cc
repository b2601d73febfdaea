#include "ops/layers/linear.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ops/gemm/sgemm.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

class Linear final : public Op {
 public:
  Linear(const Shape& in, int64_t out, bool bias) : n_(in[0]), in_(in[in.rank() - 1]), out_(out) {
    input_shapes_ = {in};
    output_shapes_ = {Shape{n_, out_}};
    param_specs_.push_back(ParamSpec{"weight", Shape{out_, in_}, Init::kKaimingUniform, in_, out_});
    if (bias) param_specs_.push_back(ParamSpec{"bias", Shape{out_}, Init::kZeros, in_, out_});
  }
  const char* name() const override { return "linear"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.macs = n_ * in_ * out_;
    c.flops_other = param_specs_.size() > 1 ? n_ * out_ : 0;
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor> params,
               std::span<Tensor> outputs) override {
    float* y = outputs[0].data();
    GemmArgs g;
    g.trans_b = Trans::kYes;  // W is [out][in]
    g.m = n_;
    g.n = out_;
    g.k = in_;
    g.a = inputs[0].data();
    g.lda = in_;
    g.b = params[0].data();
    g.ldb = in_;
    g.c = y;
    g.ldc = out_;
    if (params.size() > 1) {
      // Start C at the bias and accumulate into it (beta = 1).
      const float* b = params[1].data();
      for (int64_t i = 0; i < n_; ++i) std::copy(b, b + out_, y + i * out_);
      g.beta = 1.0f;
    }
    sgemm(g);
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor> params,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor> param_grads) override {
    const float* dy = output_grads[0].data();
    if (input_grads[0].defined()) {  // dx[N,in] = dy[N,out] W[out,in]
      GemmArgs g;
      g.m = n_;
      g.n = in_;
      g.k = out_;
      g.a = dy;
      g.lda = out_;
      g.b = params[0].data();
      g.ldb = in_;
      g.c = input_grads[0].data();
      g.ldc = in_;
      sgemm(g);
    }
    if (param_grads[0].defined()) {  // dW[out,in] = dy^T x
      GemmArgs g;
      g.trans_a = Trans::kYes;
      g.m = out_;
      g.n = in_;
      g.k = n_;
      g.a = dy;
      g.lda = out_;
      g.b = inputs[0].data();
      g.ldb = in_;
      g.c = param_grads[0].data();
      g.ldc = in_;
      sgemm(g);
    }
    if (param_grads.size() > 1 && param_grads[1].defined()) {
      float* db = param_grads[1].data();
      std::fill(db, db + out_, 0.0f);
      for (int64_t i = 0; i < n_; ++i)
        for (int64_t o = 0; o < out_; ++o) db[o] += dy[i * out_ + o];
    }
  }

 private:
  int64_t n_, in_, out_;
};

}  // namespace

Result<std::unique_ptr<Op>> create_linear(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1)
    return layers::creation_error("linear", inputs, "expected exactly one input");
  const Shape& in = inputs[0];
  const bool rank_ok = in.rank() == 2 || (in.rank() == 4 && in[1] == 1 && in[2] == 1);
  if (!rank_ok)
    return layers::creation_error("linear", inputs, "expected an input [N,in] or [N,1,1,in]");
  if (in[0] < 1 || in[in.rank() - 1] < 1)
    return layers::creation_error("linear", inputs, "expected N >= 1 and in >= 1");
  if (attrs.out_channels < 0)
    return layers::creation_error(
        "linear", inputs,
        "out_channels must be >= 0 (got " + std::to_string(attrs.out_channels) + ")");
  const int64_t out = attrs.out_channels == 0 ? in[in.rank() - 1] : attrs.out_channels;
  return std::unique_ptr<Op>(std::make_unique<Linear>(in, out, attrs.bias));
}

}  // namespace nas::ops
