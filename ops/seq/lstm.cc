#include "ops/seq/lstm.h"

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
float* grad_at(std::span<const Tensor> g, size_t i) {
  return i < g.size() && g[i].defined() ? g[i].data() : nullptr;
}

}  // namespace

std::vector<ParamSpec> LstmCell::param_specs() const {
  const int64_t I = input_, H = hidden_;
  return {{"w_ih", Shape{I, 4 * H}, Init::kXavierUniform, I, 4 * H},
          {"w_hh", Shape{H, 4 * H}, Init::kXavierUniform, H, 4 * H},
          {"bias", Shape{4 * H}, Init::kZeros}};
}

void LstmCell::activate(int64_t batch, float* gates, const float* c, float* h_out,
                        float* c_out) const {
  const SeqKernels& k = seq_kernels();
  const int64_t H = hidden_;
  parallel_for(batch, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* g = gates + b * 4 * H;
      k.sigmoid(g, g, 2 * H);  // i, f
      k.tanh(g + 2 * H, g + 2 * H, H);
      k.sigmoid(g + 3 * H, g + 3 * H, H);
      const float* cp = c + b * H;
      float* cn = c_out + b * H;
      float* hn = h_out + b * H;
      for (int64_t j = 0; j < H; ++j) cn[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
      k.tanh(cn, hn, H);
      for (int64_t j = 0; j < H; ++j) hn[j] *= g[3 * H + j];
    }
  });
}

void LstmCell::activate_backward(int64_t batch, const float* gates, const float* c,
                                 const float* c_out, const float* dh_out, const float* dc_out,
                                 float* dgates, float* dc_prev) const {
  const SeqKernels& k = seq_kernels();
  const int64_t H = hidden_;
  parallel_for(batch, 4, [&](int64_t b0, int64_t b1) {
    ScratchScope scratch;
    float* tc = scratch.alloc_floats(H);
    for (int64_t b = b0; b < b1; ++b) {
      const float* g = gates + b * 4 * H;
      float* dg = dgates + b * 4 * H;
      k.tanh(c_out + b * H, tc, H);
      for (int64_t j = 0; j < H; ++j) {
        const float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
        const float dh = dh_out[b * H + j];
        const float dc = (dc_out ? dc_out[b * H + j] : 0.0f) + dh * o * (1.0f - tc[j] * tc[j]);
        dg[j] = dc * gg * i * (1.0f - i);
        dg[H + j] = dc * c[b * H + j] * f * (1.0f - f);
        dg[2 * H + j] = dc * i * (1.0f - gg * gg);
        dg[3 * H + j] = dh * tc[j] * o * (1.0f - o);
        dc_prev[b * H + j] = dc * f;
      }
    }
  });
}

void LstmCell::step(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                    const Tensor& c, const Tensor& h_out, const Tensor& c_out,
                    const Tensor& gates) const {
  const int64_t B = x.dim(0), I = input_, H = hidden_;
  seq::linear_forward(x.data(), B, I, params[0].data(), params[2].data(), 4 * H, gates.data());
  seq::gemm(false, false, B, 4 * H, H, h.data(), H, params[1].data(), 4 * H, 1.0f, gates.data(), 4 * H);
  activate(B, gates.data(), c.data(), h_out.data(), c_out.data());
}

void LstmCell::step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                             const Tensor& c, const Tensor& gates, const Tensor& c_out,
                             const Tensor& dh_out, const Tensor& dc_out, const Tensor& dx,
                             const Tensor& dh, const Tensor& dc,
                             std::span<const Tensor> param_grads) const {
  const int64_t B = x.dim(0), I = input_, H = hidden_;
  ScratchScope scratch;
  float* dg = scratch.alloc_floats(B * 4 * H);
  float* dcp = dc.defined() ? dc.data() : scratch.alloc_floats(B * H);
  activate_backward(B, gates.data(), c.data(), c_out.data(), dh_out.data(),
                    data_or_null(dc_out), dg, dcp);
  seq::linear_backward(x.data(), B, I, params[0].data(), 4 * H, dg, data_or_null(dx),
                       grad_at(param_grads, 0), grad_at(param_grads, 2), true);
  seq::linear_backward(h.data(), B, H, params[1].data(), 4 * H, dg, data_or_null(dh),
                       grad_at(param_grads, 1), nullptr, true);
}

// ---- the sequence op ----

Result<std::unique_ptr<Op>> Lstm::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (Status s = seq::check_recurrent_args("lstm", attrs, inputs); !s) return s;
  return std::unique_ptr<Op>(new Lstm(inputs[0], attrs.hidden));
}

Lstm::Lstm(const Shape& in, int64_t hidden)
    : cell_(in[2], hidden), batch_(in[0]), steps_(in[1]) {
  input_shapes_ = {in};
  output_shapes_ = {Shape{batch_, steps_, hidden}};
  param_specs_ = cell_.param_specs();
}

OpCost Lstm::cost() const {
  // flops_other per hidden unit and step: bias, 4 activations, cell update and tanh(c).
  return seq::recurrent_cost(batch_, steps_, cell_.input(), cell_.hidden(), 4,
                             4 * cell_.hidden(), (4 + 4 + 5));
}

void Lstm::forward(const OpContext&, std::span<const Tensor> inputs,
                   std::span<const Tensor> params, std::span<Tensor> outputs) {
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!xs_.defined()) {
    xs_ = Tensor::empty(Shape{T * B, I});
    gates_ = Tensor::empty(Shape{T * B, 4 * H});
    hs_ = Tensor::empty(Shape{(T + 1) * B, H});
    cs_ = Tensor::empty(Shape{(T + 1) * B, H});
  }
  seq::swap_bt(inputs[0].data(), B, T, I, xs_.data());
  seq::linear_forward(xs_.data(), T * B, I, params[0].data(), params[2].data(), 4 * H,
                      gates_.data());
  std::fill(hs_.data(), hs_.data() + B * H, 0.0f);
  std::fill(cs_.data(), cs_.data() + B * H, 0.0f);
  for (int64_t t = 0; t < T; ++t) {
    float* g = gates_.data() + t * B * 4 * H;
    seq::gemm(false, false, B, 4 * H, H, hs_.data() + t * B * H, H, params[1].data(), 4 * H, 1.0f, g, 4 * H);
    cell_.activate(B, g, cs_.data() + t * B * H, hs_.data() + (t + 1) * B * H,
                   cs_.data() + (t + 1) * B * H);
  }
  seq::swap_bt(hs_.data() + B * H, T, B, H, outputs[0].data());
}

void Lstm::backward(const OpContext&, std::span<const Tensor> inputs,
                    std::span<const Tensor> params, std::span<const Tensor>,
                    std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                    std::span<Tensor> param_grads) {
  (void)inputs;
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!dys_.defined()) {
    dys_ = Tensor::empty(Shape{T * B, H});
    dgates_ = Tensor::empty(Shape{T * B, 4 * H});
    dc_ = Tensor::empty(Shape{B, H});
  }
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  if (dx != nullptr && !dxs_.defined()) dxs_ = Tensor::empty(Shape{T * B, I});
  seq::swap_bt(output_grads[0].data(), B, T, H, dys_.data());
  std::fill(dc_.data(), dc_.data() + B * H, 0.0f);
  // dys_ row block t becomes the total dh of step t: its own output grad
  // plus the recurrent grad from step t + 1 (added by the GEMM below).
  for (int64_t t = T - 1; t >= 0; --t) {
    float* dh = dys_.data() + t * B * H;
    float* dg = dgates_.data() + t * B * 4 * H;
    cell_.activate_backward(B, gates_.data() + t * B * 4 * H, cs_.data() + t * B * H,
                            cs_.data() + (t + 1) * B * H, dh, dc_.data(), dg, dc_.data());
    if (t > 0)
      seq::gemm(false, true, B, H, 4 * H, dg, 4 * H, params[1].data(), 4 * H, 1.0f, dh - B * H, H);
  }
  auto grad = [&](size_t i) { return i < param_grads.size() && param_grads[i].defined()
                                         ? param_grads[i].data() : nullptr; };
  seq::linear_backward(xs_.data(), T * B, I, params[0].data(), 4 * H, dgates_.data(),
                       dx ? dxs_.data() : nullptr, grad(0), grad(2));
  if (float* dw_hh = grad(1))
    seq::gemm(true, false, H, 4 * H, T * B, hs_.data(), H, dgates_.data(), 4 * H, 0.0f, dw_hh, 4 * H);
  if (dx != nullptr) seq::swap_bt(dxs_.data(), T, B, I, dx);
}

}  // namespace nas::ops
