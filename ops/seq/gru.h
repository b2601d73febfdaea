// GRU (gate order r, z, n as PyTorch, with its two biases):
//   r = sigmoid(x W_ir + b_ir + h W_hr + b_hr), z likewise,
//   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h
// Params (the cell and the "gru" op): w_ih [I, 3H], w_hh [H, 3H], b_ih [3H],
// b_hh [3H]; W stored [in, out], gates concatenated along out.
// GruCell is the step API; Gru the op over [B, T, I] -> [B, T, H] (h0 = 0,
// H = OpAttrs::hidden): one GEMM for all input projections, one GEMM of
// h W_hh per step, BPTT in reverse.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"

namespace nas::ops {

class GruCell {
 public:
  GruCell(int64_t input, int64_t hidden) : input_(input), hidden_(hidden) {}
  int64_t input() const { return input_; }
  int64_t hidden() const { return hidden_; }
  std::vector<ParamSpec> param_specs() const;

  // x [B, I], h [B, H] -> h_out [B, H]; cache [B, 4H] receives r, z, n and
  // h W_hn + b_hn (keep it for step_backward).
  void step(std::span<const Tensor> params, const Tensor& x, const Tensor& h, const Tensor& h_out,
            const Tensor& cache) const;
  // OVERWRITES dx, dh (empty: skipped); ADDS into param_grads (empty skipped).
  void step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                     const Tensor& cache, const Tensor& dh_out, const Tensor& dx,
                     const Tensor& dh, std::span<const Tensor> param_grads) const;

  // Element-wise part over B rows. xg (row stride ldx) holds x W_ih + b_ih on
  // entry and r, z, n on return; hg [B, 3H] is h W_hh + b_hh; hn (stride ldn)
  // receives its n third.
  void activate(int64_t batch, float* xg, int64_t ldx, const float* hg, const float* h,
                float* h_out, float* hn, int64_t ldn) const;
  // From r, z, n (xg), hn and dh_out: dxg [B, 3H] and dhg [B, 3H], the
  // gradients of the x and h projections, and dh_prev = dh_out * z (the
  // direct path; the caller adds dhg W_hh^T).
  void activate_backward(int64_t batch, const float* xg, int64_t ldx, const float* hn,
                         int64_t ldn, const float* h, const float* dh_out, float* dxg,
                         float* dhg, float* dh_prev) const;

 private:
  int64_t input_, hidden_;
};

class Gru final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "gru"; }
  // macs = T B 3H (I + H).
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  Gru(const Shape& in, int64_t hidden);
  GruCell cell_;
  int64_t batch_, steps_;
  Tensor xs_;  // [T*B, I]
  Tensor xg_;  // [T*B, 3H]: r, z, n after forward
  Tensor hn_;  // [T*B, H]
  Tensor hg_;  // [B, 3H] step temporary
  Tensor hs_;  // [(T+1)*B, H]
  Tensor dys_, dxg_, dhg_, dxs_;  // backward
};

}  // namespace nas::ops
