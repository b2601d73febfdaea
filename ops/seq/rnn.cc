#include "ops/seq/rnn.h"

#include <algorithm>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/kernels/seq/seq_kernels.h"
#include "ops/seq/recurrent_common.h"
#include "ops/seq/seq_math.h"

namespace nas::ops {
namespace {
constexpr int64_t kF = sizeof(float);
float* data_or_null(const Tensor& t) { return t.defined() ? t.data() : nullptr; }
template <typename Span>
float* grad_at(const Span& g, size_t i) {
  return i < g.size() && g[i].defined() ? g[i].data() : nullptr;
}
// d[i] *= 1 - h[i]^2: through tanh.
void tanh_grad(const float* h, float* d, int64_t n) {
  parallel_for(n, 1 << 12, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) d[i] *= 1.0f - h[i] * h[i];
  });
}
void tanh_inplace(float* x, int64_t n) {
  const SeqKernels& k = seq_kernels();
  parallel_for(n, 1 << 12, [&](int64_t b, int64_t e) { k.tanh(x + b, x + b, e - b); });
}
}  // namespace

std::vector<ParamSpec> RnnCell::param_specs() const {
  const int64_t I = input_, H = hidden_;
  return {{"w_ih", Shape{I, H}, Init::kXavierUniform, I, H},
          {"w_hh", Shape{H, H}, Init::kXavierUniform, H, H},
          {"bias", Shape{H}, Init::kZeros}};
}

void RnnCell::step(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                   const Tensor& h_out) const {
  const int64_t B = x.dim(0), H = hidden_;
  seq::linear_forward(x.data(), B, input_, params[0].data(), params[2].data(), H, h_out.data());
  seq::gemm(false, false, B, H, H, h.data(), H, params[1].data(), H, 1.0f, h_out.data(), H);
  tanh_inplace(h_out.data(), B * H);
}

void RnnCell::step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                            const Tensor& h_out, const Tensor& dh_out, const Tensor& dx,
                            const Tensor& dh, std::span<const Tensor> param_grads) const {
  const int64_t B = x.dim(0), H = hidden_;
  ScratchScope scratch;
  float* dpre = scratch.alloc_floats(B * H);
  std::memcpy(dpre, dh_out.data(), B * H * kF);
  tanh_grad(h_out.data(), dpre, B * H);
  seq::linear_backward(x.data(), B, input_, params[0].data(), H, dpre, data_or_null(dx),
                       grad_at(param_grads, 0), grad_at(param_grads, 2), true);
  seq::linear_backward(h.data(), B, H, params[1].data(), H, dpre, data_or_null(dh),
                       grad_at(param_grads, 1), nullptr, true);
}

Result<std::unique_ptr<Op>> Rnn::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (Status s = seq::check_recurrent_args("rnn_tanh", attrs, inputs); !s) return s;
  return std::unique_ptr<Op>(new Rnn(inputs[0], attrs.hidden));
}

Rnn::Rnn(const Shape& in, int64_t hidden) : cell_(in[2], hidden), batch_(in[0]), steps_(in[1]) {
  input_shapes_ = {in};
  output_shapes_ = {Shape{batch_, steps_, hidden}};
  param_specs_ = cell_.param_specs();
}

OpCost Rnn::cost() const {
  // flops_other per hidden unit and step: bias, tanh.
  return seq::recurrent_cost(batch_, steps_, cell_.input(), cell_.hidden(), 1,
                             cell_.hidden(), 2);
}

void Rnn::forward(const OpContext&, std::span<const Tensor> inputs,
                  std::span<const Tensor> params, std::span<Tensor> outputs) {
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!xs_.defined()) {
    xs_ = Tensor::empty(Shape{T * B, I});
    hs_ = Tensor::empty(Shape{(T + 1) * B, H});
  }
  seq::swap_bt(inputs[0].data(), B, T, I, xs_.data());
  // All input projections land in hs_[1..T]; each step adds h W_hh and tanh.
  seq::linear_forward(xs_.data(), T * B, I, params[0].data(), params[2].data(), H,
                      hs_.data() + B * H);
  std::fill(hs_.data(), hs_.data() + B * H, 0.0f);
  for (int64_t t = 0; t < T; ++t) {
    float* h = hs_.data() + (t + 1) * B * H;
    seq::gemm(false, false, B, H, H, h - B * H, H, params[1].data(), H, 1.0f, h, H);
    tanh_inplace(h, B * H);
  }
  seq::swap_bt(hs_.data() + B * H, T, B, H, outputs[0].data());
}

void Rnn::backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor> params,
                   std::span<const Tensor>, std::span<const Tensor> output_grads,
                   std::span<Tensor> input_grads, std::span<Tensor> param_grads) {
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!dys_.defined()) dys_ = Tensor::empty(Shape{T * B, H});
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  if (dx != nullptr && !dxs_.defined()) dxs_ = Tensor::empty(Shape{T * B, I});
  seq::swap_bt(output_grads[0].data(), B, T, H, dys_.data());
  // dys_ block t: total dh of step t, then in place the pre-activation grad.
  for (int64_t t = T - 1; t >= 0; --t) {
    float* d = dys_.data() + t * B * H;
    tanh_grad(hs_.data() + (t + 1) * B * H, d, B * H);
    if (t > 0) seq::gemm(false, true, B, H, H, d, H, params[1].data(), H, 1.0f, d - B * H, H);
  }
  seq::linear_backward(xs_.data(), T * B, I, params[0].data(), H, dys_.data(),
                       dx ? dxs_.data() : nullptr, grad_at(param_grads, 0),
                       grad_at(param_grads, 2));
  seq::linear_backward(hs_.data(), T * B, H, params[1].data(), H, dys_.data(), nullptr,
                       grad_at(param_grads, 1), nullptr);
  if (dx != nullptr) seq::swap_bt(dxs_.data(), T, B, I, dx);
}

}  // namespace nas::ops
