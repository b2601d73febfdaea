#include "ops/conv/conv2d_op.h"

#include <cmath>

#include "ops/conv/conv2d.h"

namespace nas::ops {
namespace {

Result<ConvParams> params_from(const OpAttrs& attrs, std::span<const Shape> inputs,
                               bool depthwise) {
  const std::string shape = inputs.empty() ? "[]" : inputs[0].str();
  auto fail = [&](const std::string& why) -> Status {
    return Status::error("failed to create conv2d with input " + shape + ": " + why);
  };
  if (inputs.size() != 1) return fail("expected exactly one input, got " + std::to_string(inputs.size()));
  const Shape& in = inputs[0];
  if (in.rank() != 4) return fail("expected an NHWC input of rank 4");
  if (attrs.kernel < 1) return fail("kernel must be >= 1, got " + std::to_string(attrs.kernel));
  ConvParams p;
  p.batch = in[0]; p.in_h = in[1]; p.in_w = in[2]; p.in_c = in[3];
  p.out_c = attrs.out_channels == 0 ? in[3] : attrs.out_channels;
  p.kernel_h = p.kernel_w = attrs.kernel;
  p.stride = attrs.stride;
  p.dilation = attrs.dilation;
  p.pad = attrs.padding == -1 ? attrs.dilation * (attrs.kernel - 1) / 2 : attrs.padding;
  if (attrs.padding < -1) return fail("padding must be >= 0 or -1 (same), got " + std::to_string(attrs.padding));
  p.groups = (depthwise || attrs.groups == -1) ? static_cast<int>(in[3]) : attrs.groups;
  if (attrs.groups < -1 || attrs.groups == 0)
    return fail("groups must be >= 1 or -1 (depthwise), got " + std::to_string(attrs.groups));
  p.bias = attrs.bias;
  if (Status s = validate_conv_params(p); !s) return s;
  return p;
}

}  // namespace

Conv2d::Conv2d(const ConvParams& p, bool depthwise_name) : p_(p), depthwise_name_(depthwise_name) {
  input_shapes_ = {p.input_shape()};
  output_shapes_ = {p.output_shape()};
  const int64_t fan_in = p.taps() * p.in_per_group(), fan_out = p.taps() * p.out_per_group();
  param_specs_.push_back({"weight", p.weight_shape(), Init::kKaimingNormal, fan_in, fan_out});
  if (p.bias) param_specs_.push_back({"bias", Shape{p.out_c}, Init::kZeros, fan_in, fan_out});
}

Result<std::unique_ptr<Op>> Conv2d::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  Result<ConvParams> p = params_from(attrs, inputs, false);
  if (!p) return p.status();
  return std::unique_ptr<Op>(new Conv2d(p.value(), false));
}

Result<std::unique_ptr<Op>> Conv2d::create_depthwise(const OpAttrs& attrs,
                                                     std::span<const Shape> inputs) {
  Result<ConvParams> p = params_from(attrs, inputs, true);
  if (!p) return p.status();
  return std::unique_ptr<Op>(new Conv2d(p.value(), true));
}

OpCost conv2d_cost(const ConvParams& p) {
  OpCost c;
  const int64_t bias = p.bias ? p.out_c : 0;
  c.macs = p.batch * p.out_h() * p.out_w() * p.out_c * p.taps() * p.in_per_group();
  c.bytes_read = 4 * (p.input_shape().numel() + p.weight_numel() + bias);
  c.bytes_written = 4 * p.output_shape().numel();
  c.params = p.weight_numel() + bias;
  return c;
}

OpCost Conv2d::cost() const { return conv2d_cost(p_); }

void Conv2d::forward(const OpContext&, std::span<const Tensor> inputs,
                     std::span<const Tensor> params, std::span<Tensor> outputs) {
  const float* bias = p_.bias ? params[1].data() : nullptr;
  if (virtual_source_ != nullptr)
    conv2d_forward_transformed(p_, virtual_source_, virtual_transform_, nullptr, params[0].data(),
                               bias, outputs[0].data(), output_observer_);
  else if (transform_source_ != nullptr)
    conv2d_forward_transformed(p_, transform_source_, transform_, inputs[0].data(), params[0].data(),
                               bias, outputs[0].data(), output_observer_);
  else
    conv2d_forward(p_, inputs[0].data(), params[0].data(), bias, outputs[0].data(), output_observer_);
}

void Conv2d::backward(const OpContext&, std::span<const Tensor> inputs,
                      std::span<const Tensor> params, std::span<const Tensor>,
                      std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                      std::span<Tensor> param_grads) {
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  float* dw = !param_grads.empty() && param_grads[0].defined() ? param_grads[0].data() : nullptr;
  float* db = p_.bias && param_grads.size() > 1 && param_grads[1].defined() ? param_grads[1].data()
                                                                             : nullptr;
  if (virtual_source_ != nullptr)
    conv2d_backward_transformed(p_, virtual_source_, virtual_transform_, output_grads[0].data(),
                                params[0].data(), dx, dw, db, input_grad_observer_);
  else
    conv2d_backward(p_, inputs[0].data(), output_grads[0].data(), params[0].data(), dx, dw, db,
                    input_grad_observer_);
}

void fold_batch_norm(int64_t out_c, int64_t w_row, const float* scale, const float* shift,
                     bool had_bias, float* w, float* bias) {
  for (int64_t co = 0; co < out_c; ++co) {
    for (int64_t i = 0; i < w_row; ++i) w[co * w_row + i] *= scale[co];
    bias[co] = (had_bias ? bias[co] * scale[co] : 0.0f) + shift[co];
  }
}

void batch_norm_scale_shift(int64_t c, const float* gamma, const float* beta, const float* mean,
                            const float* var, float eps, float* scale, float* shift) {
  for (int64_t i = 0; i < c; ++i) {
    scale[i] = gamma[i] / std::sqrt(var[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
}

void register_conv_ops(OpRegistry& registry) {
  registry.add({"conv2d", "2-D convolution, NHWC, OHWI weights (stride, padding, dilation, groups)",
                &Conv2d::create});
  registry.add({"depthwise_conv2d", "depthwise 2-D convolution (groups = channels)",
                &Conv2d::create_depthwise});
}

}  // namespace nas::ops
