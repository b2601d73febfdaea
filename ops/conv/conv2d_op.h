// Conv2d: the "conv2d" / "depthwise_conv2d" ops of the registry over
// ops/conv/conv2d.h. One input [N,H,W,C]; params "weight" [out_c][k][k][C/groups]
// (Kaiming, fan_in = k*k*C/groups) and, with attrs.bias, "bias" [out_c] (zeros).
#pragma once

#include <memory>
#include <span>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv_params.h"
#include "ops/core/op.h"
#include "ops/core/op_registry.h"
#include "ops/core/row_block_observer.h"

namespace nas::ops {

class Conv2d final : public Op {
 public:
  // Reads out_channels (0: same as input), kernel, stride, padding (-1:
  // same), dilation, groups (-1: depthwise), bias. Errors read
  // "failed to create conv2d with input [..]: ...".
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  // As create() with groups forced to the input channel count.
  static Result<std::unique_ptr<Op>> create_depthwise(const OpAttrs& attrs,
                                                      std::span<const Shape> inputs);

  const char* name() const override { return depthwise_name_ ? "depthwise_conv2d" : "conv2d"; }
  const ConvParams& params() const { return p_; }
  // Observers of the output rows (N*OH*OW) of the following forwards and of
  // the input-gradient rows (N*H*W) of the following backwards (conv2d.h);
  // null (the default) for none. Not owned: they must outlive their use.
  void set_output_observer(RowBlockObserver* o) { output_observer_ = o; }
  void set_input_grad_observer(RowBlockObserver* o) { input_grad_observer_ = o; }
  // The following forwards read `source`, not inputs[0]: they write
  // t(source) into inputs[0]'s buffer and convolve that
  // (conv2d_forward_transformed): a producer's elementwise pass folded into
  // this conv. Null source (the default): none. Not owned.
  void set_input_transform(const float* source, const ConvInputTransform& t) {
    transform_source_ = source;
    transform_ = t;
  }
  // The following forwards AND backwards read `source` through t in place
  // of inputs[0], which they neither read nor write (it need not be
  // allocated): conv2d_forward_transformed with xt null and
  // conv2d_backward_transformed. A producer's elementwise pass whose output
  // is never materialised; `source` and t's state must stay unchanged from
  // a forward to its backward. Null source (the default): none. Not owned.
  // Takes precedence over set_input_transform.
  void set_virtual_input(const float* source, const ConvInputTransform& t) {
    virtual_source_ = source;
    virtual_transform_ = t;
  }
  bool has_virtual_input() const { return virtual_source_ != nullptr; }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  Conv2d(const ConvParams& p, bool depthwise_name);
  ConvParams p_;
  bool depthwise_name_;
  RowBlockObserver* output_observer_ = nullptr;
  RowBlockObserver* input_grad_observer_ = nullptr;
  const float* transform_source_ = nullptr;
  ConvInputTransform transform_;
  const float* virtual_source_ = nullptr;
  ConvInputTransform virtual_transform_;
};

// The conv cost: MACs = N*OH*OW*out_c*kh*kw*in_c/groups; bytes read = input +
// weights + bias (fp32); bytes written = output; params = weights + bias.
OpCost conv2d_cost(const ConvParams& p);

// Folds an inference BatchNorm y = scale*conv(x) + shift into the conv:
// w[co][...] *= scale[co]; bias[co] = bias[co]*scale[co] + shift[co].
// `bias` ([out_c]) is read when had_bias, else treated as zeros; it is always
// written. REQUIRES: w holds out_c rows of w_row floats.
void fold_batch_norm(int64_t out_c, int64_t w_row, const float* scale, const float* shift,
                     bool had_bias, float* w, float* bias);
// scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
void batch_norm_scale_shift(int64_t c, const float* gamma, const float* beta, const float* mean,
                            const float* var, float eps, float* scale, float* shift);

void register_conv_ops(OpRegistry& registry);

}  // namespace nas::ops
