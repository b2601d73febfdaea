#include "ops/seq/attention.h"

#include <algorithm>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/seq/seq_math.h"

namespace nas::ops {

namespace {
constexpr int64_t kF = sizeof(float);
}

Result<std::unique_ptr<Op>> MultiHeadAttention::create(AttentionKind kind, const OpAttrs& attrs,
                                                       std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 3)
    return Status::error("failed to create attention with " +
                         (inputs.empty() ? std::string("no inputs") : inputs[0].str()) +
                         ": expected one [B, S, D] input");
  const Shape& x = inputs[0];
  if (x[0] < 1 || x[1] < 1 || x[2] < 1)
    return Status::error("failed to create attention with input " + x.str() +
                         ": dimensions must be positive");
  if (attrs.heads < 1 || x[2] % attrs.heads != 0)
    return Status::error("failed to create attention with heads " + std::to_string(attrs.heads) +
                         ": must be >= 1 and divide d_model " + std::to_string(x[2]));
  if (attrs.window < 0 || (kind == AttentionKind::kSlidingWindow && attrs.window < 1))
    return Status::error("failed to create attention with window " +
                         std::to_string(attrs.window) +
                         (kind == AttentionKind::kSlidingWindow ? ": must be >= 1"
                                                                : ": must be >= 0"));
  return std::unique_ptr<Op>(new MultiHeadAttention(kind, attrs, x));
}

MultiHeadAttention::MultiHeadAttention(AttentionKind kind, const OpAttrs& attrs,
                                       const Shape& input)
    : kind_(kind), bias_(attrs.bias) {
  dims_.batch = input[0];
  dims_.seq = input[1];
  dims_.d_model = input[2];
  dims_.heads = attrs.heads;
  dims_.causal = attrs.causal;
  dims_.window = kind == AttentionKind::kLinear ? 0 : attrs.window;
  const int64_t D = dims_.d_model;
  input_shapes_ = {input};
  output_shapes_ = {input};
  param_specs_.push_back({"w_qkv", Shape{D, 3 * D}, Init::kXavierUniform, D, D});
  if (bias_) param_specs_.push_back({"b_qkv", Shape{3 * D}, Init::kZeros});
  param_specs_.push_back({"w_out", Shape{D, D}, Init::kXavierUniform, D, D});
  if (bias_) param_specs_.push_back({"b_out", Shape{D}, Init::kZeros});
}

const char* MultiHeadAttention::name() const {
  switch (kind_) {
    case AttentionKind::kPlain: return "attention";
    case AttentionKind::kTiled: return "attention_tiled";
    case AttentionKind::kSlidingWindow: return "attention_sliding_window";
    case AttentionKind::kLinear: return "attention_linear";
  }
  return "?";
}

OpCost MultiHeadAttention::cost() const {
  const seq::AttentionDims& d = dims_;
  const int64_t B = d.batch, S = d.seq, D = d.d_model, H = d.heads, dh = d.head_dim();
  OpCost c;
  c.params = 4 * D * D + (bias_ ? 4 * D : 0);
  c.macs = 4 * B * S * D * D;
  c.flops_other = bias_ ? 4 * B * S * D : 0;
  int64_t pairs = 0;  // (query, key) scores computed per (batch, head)
  switch (kind_) {
    case AttentionKind::kPlain: pairs = S * S; break;
    case AttentionKind::kTiled:
    case AttentionKind::kSlidingWindow: pairs = seq::attention_tiled_score_pairs(d); break;
    case AttentionKind::kLinear: break;
  }
  if (kind_ == AttentionKind::kLinear) {
    c.macs += B * H * 2 * S * dh * dh;                 // phi(K)^T V and phi(Q) (KV)
    c.flops_other += B * H * S * (4 * dh + dh);        // feature maps, z, denominators, divide
  } else {
    c.macs += B * H * 2 * pairs * dh;                  // Q K^T and P V
    c.flops_other += B * H * 4 * d.visible_pairs();    // scale, max, exp, normalise
  }
  c.bytes_read = (B * S * D + c.params) * kF;
  c.bytes_written = B * S * D * kF;
  return c;
}

void MultiHeadAttention::ensure_buffers(bool backward) {
  const int64_t rows = dims_.batch * dims_.seq, D = dims_.d_model;
  if (!qkv_.defined()) {
    qkv_ = Tensor::empty(Shape{rows, 3 * D});
    ctx_ = Tensor::empty(Shape{rows, D});
    if (kind_ == AttentionKind::kPlain)
      probs_ = Tensor::empty(Shape{dims_.batch * dims_.heads, dims_.seq, dims_.seq});
    if (kind_ == AttentionKind::kTiled || kind_ == AttentionKind::kSlidingWindow)
      lse_ = Tensor::empty(Shape{dims_.batch * dims_.heads, dims_.seq});
  }
  if (backward && !dqkv_.defined()) {
    dqkv_ = Tensor::empty(Shape{rows, 3 * D});
    if (lse_.defined()) drow_ = Tensor::empty(lse_.shape());
  }
}

int64_t MultiHeadAttention::state_bytes() const {
  int64_t floats = qkv_.numel() + ctx_.numel() + probs_.numel() + lse_.numel() + drow_.numel() +
                   dqkv_.numel();
  return floats * kF;
}

int64_t MultiHeadAttention::scratch_bytes() const {
  const int64_t S = dims_.seq, dh = dims_.head_dim();
  switch (kind_) {
    case AttentionKind::kPlain: return S * S * kF;
    case AttentionKind::kTiled:
    case AttentionKind::kSlidingWindow:
      return std::max({seq::attention_tiled_scratch_floats(dims_, false),
                       seq::attention_tiled_scratch_floats(dims_, true),
                       32 * dims_.d_model}) * kF;
    case AttentionKind::kLinear: return (5 * S * dh + 2 * dh * dh + 2 * dh + S) * kF;
  }
  return 0;
}

void MultiHeadAttention::forward(const OpContext&, std::span<const Tensor> inputs,
                                 std::span<const Tensor> params, std::span<Tensor> outputs) {
  ensure_buffers(false);
  const int64_t rows = dims_.batch * dims_.seq, D = dims_.d_model;
  const float* w_qkv = params[0].data();
  const float* b_qkv = bias_ ? params[1].data() : nullptr;
  const float* w_out = params[bias_ ? 2 : 1].data();
  const float* b_out = bias_ ? params[3].data() : nullptr;
  seq::linear_forward(inputs[0].data(), rows, D, w_qkv, b_qkv, 3 * D, qkv_.data());
  switch (kind_) {
    case AttentionKind::kPlain:
      seq::attention_plain_forward(dims_, qkv_.data(), probs_.data(), ctx_.data());
      break;
    case AttentionKind::kTiled:
    case AttentionKind::kSlidingWindow:
      seq::attention_tiled_forward(dims_, qkv_.data(), ctx_.data(), lse_.data());
      break;
    case AttentionKind::kLinear:
      seq::attention_linear_forward(dims_, qkv_.data(), ctx_.data());
      break;
  }
  seq::linear_forward(ctx_.data(), rows, D, w_out, b_out, D, outputs[0].data());
}

void MultiHeadAttention::backward(const OpContext&, std::span<const Tensor> inputs,
                                  std::span<const Tensor> params, std::span<const Tensor>,
                                  std::span<const Tensor> output_grads,
                                  std::span<Tensor> input_grads, std::span<Tensor> param_grads) {
  ensure_buffers(true);
  const int64_t rows = dims_.batch * dims_.seq, D = dims_.d_model;
  auto grad = [&](int i) -> float* {
    return i < static_cast<int>(param_grads.size()) && param_grads[i].defined()
               ? param_grads[i].data()
               : nullptr;
  };
  const int out_i = bias_ ? 2 : 1;
  const float* w_out = params[out_i].data();
  const float* dy = output_grads[0].data();
  // dW_out and db_out read the saved context; after them its buffer holds
  // the context gradient dctx = dY W_out^T.
  seq::linear_backward(ctx_.data(), rows, D, w_out, D, dy, nullptr, grad(out_i),
                       bias_ ? grad(3) : nullptr);
  float* dctx = ctx_.data();
  const bool tiled = kind_ == AttentionKind::kTiled || kind_ == AttentionKind::kSlidingWindow;
  if (!tiled) {
    seq::gemm(false, true, rows, D, D, dy, D, w_out, D, 0.0f, dctx, D);
  } else {
    // Row blocks: dctx of the block into scratch, drow = rowsum(dO * O) per
    // head while O is still there, then dctx over O.
    const int64_t S = dims_.seq, H = dims_.heads, dh = dims_.head_dim();
    float* drow = drow_.data();
    constexpr int64_t kRows = 32;
    parallel_for((rows + kRows - 1) / kRows, 1, [&](int64_t b0, int64_t b1) {
      ScratchScope scratch;
      float* tmp = scratch.alloc_floats(kRows * D);
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t r0 = blk * kRows, n = std::min(kRows, rows - r0);
        seq::gemm_serial(false, true, n, D, D, dy + r0 * D, D, w_out, D, 0.0f, tmp, D);
        for (int64_t i = 0; i < n; ++i) {
          const int64_t r = r0 + i, b = r / S, s = r % S;
          const float* g = tmp + i * D;
          float* o = dctx + r * D;
          for (int64_t h = 0; h < H; ++h) {
            float acc = 0.0f;
            for (int64_t c = h * dh; c < (h + 1) * dh; ++c) acc += g[c] * o[c];
            drow[(b * H + h) * S + s] = acc;
          }
          std::memcpy(o, g, D * sizeof(float));
        }
      }
    });
  }
  switch (kind_) {
    case AttentionKind::kPlain:
      seq::attention_plain_backward(dims_, qkv_.data(), probs_.data(), dctx, dqkv_.data());
      break;
    case AttentionKind::kTiled:
    case AttentionKind::kSlidingWindow:
      seq::attention_tiled_backward(dims_, qkv_.data(), drow_.data(), lse_.data(), dctx,
                                    dqkv_.data());
      break;
    case AttentionKind::kLinear:
      seq::attention_linear_backward(dims_, qkv_.data(), dctx, dqkv_.data());
      break;
  }
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  seq::linear_backward(inputs[0].data(), rows, D, params[0].data(), 3 * D, dqkv_.data(), dx,
                       grad(0), bias_ ? grad(1) : nullptr);
}

}  // namespace nas::ops
