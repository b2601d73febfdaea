// Vanilla tanh RNN: h' = tanh(x W_ih + h W_hh + bias).
// Params (the cell and the "rnn_tanh" op): w_ih [I, H], w_hh [H, H], bias [H]
// (PyTorch's b_ih + b_hh). RnnCell is the step API; Rnn the op over
// [B, T, I] -> [B, T, H] (h0 = 0, H = OpAttrs::hidden).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"

namespace nas::ops {

class RnnCell {
 public:
  RnnCell(int64_t input, int64_t hidden) : input_(input), hidden_(hidden) {}
  int64_t input() const { return input_; }
  int64_t hidden() const { return hidden_; }
  std::vector<ParamSpec> param_specs() const;
  // x [B, I], h [B, H] -> h_out [B, H] (keep h_out for step_backward).
  void step(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
            const Tensor& h_out) const;
  // OVERWRITES dx, dh (empty: skipped); ADDS into param_grads (empty skipped).
  void step_backward(std::span<const Tensor> params, const Tensor& x, const Tensor& h,
                     const Tensor& h_out, const Tensor& dh_out, const Tensor& dx,
                     const Tensor& dh, std::span<const Tensor> param_grads) const;

 private:
  int64_t input_, hidden_;
};

class Rnn final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "rnn_tanh"; }
  // macs = T B H (I + H).
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  Rnn(const Shape& in, int64_t hidden);
  RnnCell cell_;
  int64_t batch_, steps_;
  Tensor xs_;  // [T*B, I]
  Tensor hs_;  // [(T+1)*B, H]
  Tensor dys_, dxs_;
};

}  // namespace nas::ops
