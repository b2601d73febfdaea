#include "ops/seq/gru.h"

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
}  // namespace

std::vector<ParamSpec> GruCell::param_specs() const {
  const int64_t I = input_, H = hidden_;
  return {{"w_ih", Shape{I, 3 * H}, Init::kXavierUniform, I, 3 * H},
          {"w_hh", Shape{H, 3 * H}, Init::kXavierUniform, H, 3 * H},
          {"b_ih", Shape{3 * H}, Init::kZeros},
          {"b_hh", Shape{3 * H}, Init::kZeros}};
}

void GruCell::activate(int64_t batch, float* xg, int64_t ldx, const float* hg, const float* h,
                       float* h_out, float* hn, int64_t ldn) const {
  const SeqKernels& k = seq_kernels();
  const int64_t H = hidden_;
  parallel_for(batch, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* g = xg + b * ldx;
      const float* hgb = hg + b * 3 * H;
      for (int64_t j = 0; j < 2 * H; ++j) g[j] += hgb[j];
      k.sigmoid(g, g, 2 * H);
      float* n = g + 2 * H;
      float* hnb = hn + b * ldn;
      for (int64_t j = 0; j < H; ++j) {
        hnb[j] = hgb[2 * H + j];
        n[j] += g[j] * hnb[j];
      }
      k.tanh(n, n, H);
      const float* hp = h + b * H;
      float* ho = h_out + b * H;
      for (int64_t j = 0; j < H; ++j) {
        const float z = g[H + j];
        ho[j] = (1.0f - z) * n[j] + z * hp[j];
      }
    }
  });
}

void GruCell::activate_backward(int64_t batch, const float* xg, int64_t ldx, const float* hn,
                                int64_t ldn, const float* h, const float* dh_out, float* dxg,
                                float* dhg, float* dh_prev) const {
  const int64_t H = hidden_;
  parallel_for(batch, 4, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const float* g = xg + b * ldx;
      float* dx = dxg + b * 3 * H;
      float* dhh = dhg + b * 3 * H;
      for (int64_t j = 0; j < H; ++j) {
        const float r = g[j], z = g[H + j], n = g[2 * H + j];
        const float dh = dh_out[b * H + j];
        const float dn = dh * (1.0f - z) * (1.0f - n * n);
        const float dz = dh * (h[b * H + j] - n) * z * (1.0f - z);
        const float dr = dn * hn[b * ldn + j] * r * (1.0f - r);
        dx[j] = dhh[j] = dr;
        dx[H + j] = dhh[H + j] = dz;
        dx[2 * H + j] = dn;
        dhh[2 * H + j] = dn * r;
        dh_prev[b * H + j] = dh * z;
      }
    }
  });
}

void GruCell::step(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                   const Tensor& h_out, const Tensor& cache) const {
  const int64_t B = x.dim(0), I = input_, H = hidden_;
  ScratchScope scratch;
  float* hg = scratch.alloc_floats(B * 3 * H);
  float* c = cache.data();
  // x W_ih + b_ih into the first 3H columns of the cache rows.
  for (int64_t b = 0; b < B; ++b) std::memcpy(c + b * 4 * H, params[2].data(), 3 * H * kF);
  seq::gemm(false, false, B, 3 * H, I, x.data(), I, params[0].data(), 3 * H, 1.0f, c, 4 * H);
  seq::linear_forward(h.data(), B, H, params[1].data(), params[3].data(), 3 * H, hg);
  activate(B, c, 4 * H, hg, h.data(), h_out.data(), c + 3 * H, 4 * H);
}

void GruCell::step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                            const Tensor& cache, const Tensor& dh_out, const Tensor& dx,
                            const Tensor& dh, std::span<const Tensor> param_grads) const {
  const int64_t B = x.dim(0), I = input_, H = hidden_;
  ScratchScope scratch;
  float* dxg = scratch.alloc_floats(B * 3 * H);
  float* dhg = scratch.alloc_floats(B * 3 * H);
  float* dhp = scratch.alloc_floats(B * H);
  const float* c = cache.data();
  activate_backward(B, c, 4 * H, c + 3 * H, 4 * H, h.data(), dh_out.data(), dxg, dhg, dhp);
  seq::linear_backward(x.data(), B, I, params[0].data(), 3 * H, dxg, data_or_null(dx),
                       grad_at(param_grads, 0), grad_at(param_grads, 2), true);
  seq::linear_backward(h.data(), B, H, params[1].data(), 3 * H, dhg, nullptr,
                       grad_at(param_grads, 1), grad_at(param_grads, 3), true);
  if (dh.defined()) {
    std::memcpy(dh.data(), dhp, B * H * kF);
    seq::gemm(false, true, B, H, 3 * H, dhg, 3 * H, params[1].data(), 3 * H, 1.0f, dh.data(), H);
  }
}

// ---- the sequence op ----

Result<std::unique_ptr<Op>> Gru::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (Status s = seq::check_recurrent_args("gru", attrs, inputs); !s) return s;
  return std::unique_ptr<Op>(new Gru(inputs[0], attrs.hidden));
}

Gru::Gru(const Shape& in, int64_t hidden) : cell_(in[2], hidden), batch_(in[0]), steps_(in[1]) {
  input_shapes_ = {in};
  output_shapes_ = {Shape{batch_, steps_, hidden}};
  param_specs_ = cell_.param_specs();
}

OpCost Gru::cost() const {
  // flops_other per hidden unit and step: two biases, 3 activations, gating.
  return seq::recurrent_cost(batch_, steps_, cell_.input(), cell_.hidden(), 3,
                             6 * cell_.hidden(), (6 + 3 + 5));
}

void Gru::forward(const OpContext&, std::span<const Tensor> inputs,
                  std::span<const Tensor> params, std::span<Tensor> outputs) {
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!xs_.defined()) {
    xs_ = Tensor::empty(Shape{T * B, I});
    xg_ = Tensor::empty(Shape{T * B, 3 * H});
    hn_ = Tensor::empty(Shape{T * B, H});
    hg_ = Tensor::empty(Shape{B, 3 * H});
    hs_ = Tensor::empty(Shape{(T + 1) * B, H});
  }
  seq::swap_bt(inputs[0].data(), B, T, I, xs_.data());
  seq::linear_forward(xs_.data(), T * B, I, params[0].data(), params[2].data(), 3 * H,
                      xg_.data());
  std::fill(hs_.data(), hs_.data() + B * H, 0.0f);
  for (int64_t t = 0; t < T; ++t) {
    const float* h = hs_.data() + t * B * H;
    seq::linear_forward(h, B, H, params[1].data(), params[3].data(), 3 * H, hg_.data());
    cell_.activate(B, xg_.data() + t * B * 3 * H, 3 * H, hg_.data(), h,
                   hs_.data() + (t + 1) * B * H, hn_.data() + t * B * H, H);
  }
  seq::swap_bt(hs_.data() + B * H, T, B, H, outputs[0].data());
}

void Gru::backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor> params,
                   std::span<const Tensor>, std::span<const Tensor> output_grads,
                   std::span<Tensor> input_grads, std::span<Tensor> param_grads) {
  const int64_t B = batch_, T = steps_, I = cell_.input(), H = cell_.hidden();
  if (!dys_.defined()) {
    dys_ = Tensor::empty(Shape{T * B, H});
    dxg_ = Tensor::empty(Shape{T * B, 3 * H});
    dhg_ = Tensor::empty(Shape{T * B, 3 * H});
  }
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  if (dx != nullptr && !dxs_.defined()) dxs_ = Tensor::empty(Shape{T * B, I});
  seq::swap_bt(output_grads[0].data(), B, T, H, dys_.data());
  // hg_ is free in backward: it holds dh_prev = dh * z before the GEMM adds
  // the recurrent path into step t - 1's total.
  float* dhp = hg_.data();
  for (int64_t t = T - 1; t >= 0; --t) {
    float* dh = dys_.data() + t * B * H;
    float* dhg = dhg_.data() + t * B * 3 * H;
    cell_.activate_backward(B, xg_.data() + t * B * 3 * H, 3 * H, hn_.data() + t * B * H, H,
                            hs_.data() + t * B * H, dh, dxg_.data() + t * B * 3 * H, dhg, dhp);
    if (t > 0) {
      float* prev = dh - B * H;
      for (int64_t i = 0; i < B * H; ++i) prev[i] += dhp[i];
      seq::gemm(false, true, B, H, 3 * H, dhg, 3 * H, params[1].data(), 3 * H, 1.0f, prev, H);
    }
  }
  seq::linear_backward(xs_.data(), T * B, I, params[0].data(), 3 * H, dxg_.data(),
                       dx ? dxs_.data() : nullptr, grad_at(param_grads, 0),
                       grad_at(param_grads, 2));
  seq::linear_backward(hs_.data(), T * B, H, params[1].data(), 3 * H, dhg_.data(), nullptr,
                       grad_at(param_grads, 1), grad_at(param_grads, 3));
  if (dx != nullptr) seq::swap_bt(dxs_.data(), T, B, I, dx);
}

}  // namespace nas::ops
