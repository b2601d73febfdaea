// LSTM (gate order i, f, g, o as PyTorch; one bias, i.e. PyTorch's b_ih + b_hh):
//   i, f, o = sigmoid(.), g = tanh(.) of x W_ih + h W_hh + bias
//   c' = f * c + i * g,  h' = o * tanh(c')
// Params (both the cell and the "lstm" op): w_ih [I, 4H], w_hh [H, 4H],
// bias [4H]; W stored [in, out], the four gates concatenated along out.
//
// LstmCell is the step API (a REINFORCE controller steps one token at a time
// and backpropagates through its own unrolled steps). Lstm is the op over a
// whole sequence [B, T, I] -> [B, T, H] (h0 = c0 = 0, H = OpAttrs::hidden):
// the input projection of all T steps is one GEMM, each step one GEMM of
// h W_hh for all gates, BPTT in reverse.
#pragma once

#include <memory>
#include <span>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"

namespace nas::ops {

class LstmCell {
 public:
  LstmCell(int64_t input, int64_t hidden) : input_(input), hidden_(hidden) {}
  int64_t input() const { return input_; }
  int64_t hidden() const { return hidden_; }
  // The parameter shapes, in the order step() takes them.
  std::vector<ParamSpec> param_specs() const;

  // One step for a batch of B rows: x [B, I], h, c [B, H] -> h_out, c_out
  // [B, H]; gates [B, 4H] receives the activated gates (keep it for
  // step_backward). REQUIRES: preallocated tensors, outputs not aliasing inputs.
  void step(std::span<const Tensor> params, const Tensor& x, const Tensor& h, const Tensor& c,
            const Tensor& h_out, const Tensor& c_out, const Tensor& gates) const;
  // Backward of one step from dh_out and dc_out (dc_out may be empty: zero).
  // OVERWRITES dx, dh, dc (an empty one is skipped) and ADDS into
  // param_grads (empty ones skipped), so an unrolled sequence sums its steps:
  // zero the parameter grads before the first step_backward.
  void step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                     const Tensor& c, const Tensor& gates, const Tensor& c_out,
                     const Tensor& dh_out, const Tensor& dc_out, const Tensor& dx,
                     const Tensor& dh, const Tensor& dc, std::span<const Tensor> param_grads) const;

  // Element-wise part over B rows, shared with the sequence op. gates holds
  // the pre-activations on entry and the activations on return.
  void activate(int64_t batch, float* gates, const float* c, float* h_out, float* c_out) const;
  // dgates [B, 4H] = gradient of the pre-activations; dc_prev = gradient of c
  // (dc_prev may be the same buffer as dc_out; dc_out nullptr reads as zero).
  void activate_backward(int64_t batch, const float* gates, const float* c, const float* c_out,
                         const float* dh_out, const float* dc_out, float* dgates,
                         float* dc_prev) const;

 private:
  int64_t input_, hidden_;
};

class Lstm final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "lstm"; }
  // macs = T B 4H (I + H); flops_other counts the gate non-linearities.
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  Lstm(const Shape& in, int64_t hidden);
  LstmCell cell_;
  int64_t batch_, steps_;
  // Time-major buffers, kept from forward for backward.
  Tensor xs_;     // [T*B, I]
  Tensor gates_;  // [T*B, 4H] activated gates
  Tensor hs_;     // [(T+1)*B, H], hs_[0] = h0 = 0
  Tensor cs_;     // [(T+1)*B, H]
  Tensor dys_, dgates_, dc_, dxs_;  // backward temporaries
};

}  // namespace nas::ops
