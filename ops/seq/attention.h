// Multi-head self-attention over [B, S, D] (rank 3), the four registered forms:
//   "attention"                plain: materialises the S x S probabilities
//   "attention_tiled"          online softmax, O(S * d) memory (FlashAttention)
//   "attention_sliding_window" the tiled kernel restricted to |i - j| <= window
//   "attention_linear"         phi(x) = elu(x) + 1 kernelised attention, O(S)
// All take OpAttrs::heads (D % heads == 0) and OpAttrs::causal; the softmax
// forms also honour OpAttrs::window (required > 0 for the sliding window).
//
// Params, with y = x W + b (W stored [in, out]):
//   w_qkv [D, 3D]  columns q | k | v, head h at h*dh in each third
//   b_qkv [3D]     only with OpAttrs::bias
//   w_out [D, D]
//   b_out [D]      only with OpAttrs::bias
// Buffers kept between forward and backward are allocated by the first call
// and reused afterwards (fixed shapes): no allocation in steady state.
// backward() reuses the saved context buffer for the context gradient (one
// S x D buffer less at peak), so each forward allows one backward.
#pragma once

#include <memory>
#include <span>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"
#include "ops/seq/attention_core.h"

namespace nas::ops {

enum class AttentionKind { kPlain, kTiled, kSlidingWindow, kLinear };

class MultiHeadAttention final : public Op {
 public:
  // Fails (Status) unless inputs is one [B, S, D] shape, heads >= 1 divides
  // D, window >= 0 (and > 0 for kSlidingWindow).
  static Result<std::unique_ptr<Op>> create(AttentionKind kind, const OpAttrs& attrs,
                                            std::span<const Shape> inputs);

  const char* name() const override;
  // macs: the four projections (4 B S D^2) plus the score and P.V products the
  // kernel performs: plain S^2 per head-row pair, tiled / sliding window the
  // tiles it visits (about the visible (i, j) pairs: n^2/2 causal, n*(2w+1)
  // windowed), linear 2 S dh^2 per head.
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

  AttentionKind kind() const { return kind_; }
  const seq::AttentionDims& dims() const { return dims_; }
  // Bytes of the buffers this op keeps for forward + backward (projections,
  // context, saved softmax state, backward temporaries); 0 before the first
  // forward.
  int64_t state_bytes() const;
  // Bytes of per-thread scratch (thread_scratch()) one thread takes at most.
  int64_t scratch_bytes() const;

 private:
  MultiHeadAttention(AttentionKind kind, const OpAttrs& attrs, const Shape& input);
  void ensure_buffers(bool backward);

  AttentionKind kind_;
  bool bias_;
  seq::AttentionDims dims_;
  Tensor qkv_, ctx_, probs_, lse_;  // kept from forward for backward
  Tensor drow_, dqkv_;              // backward temporaries
};

}  // namespace nas::ops
