// Token and patch embeddings and positional encodings of transformer blocks
// over [B, S, D] activations.
//
// "embedding": ids [B, S] (token ids stored as floats) -> [B, S, D], D =
//   OpAttrs::out_channels, table param "weight" [vocab, D] (OpAttrs::vocab).
//   Ids outside [0, vocab) (or not integral) give a zero vector and no
//   gradient. The ids get no gradient (an input grad, if asked, is zeroed).
// "patch_embedding": NHWC image [B, H, W, C] -> [B, Ho*Wo, D], a strided
//   k x k convolution (k = OpAttrs::kernel, stride = OpAttrs::stride, no
//   padding; ViT uses stride = kernel) done as a patch gather + one GEMM.
//   Params "weight" [k*k*C, D] (rows in (ky, kx, c) order), "bias" [D] with
//   OpAttrs::bias. Tokens are in row-major (y, x) patch order.
// "positional_encoding_sinusoidal": y = x + PE, PE[s, 2i] = sin(s / 10000^(2i/D)),
//   PE[s, 2i+1] = cos(same); fixed, no params.
// "positional_encoding_learned": y = x + pos, param "pos" [S, D].
// The residual add of a transformer block is ops/layers' "add" (same-shape
// inputs of any rank, [B, S, D] included); it is not duplicated here.
#pragma once

#include <memory>
#include <span>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"

namespace nas::ops {

class Embedding final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "embedding"; }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  Embedding(const Shape& ids, int64_t vocab, int64_t dim);
  int64_t tokens_, vocab_, dim_;
};

class PatchEmbedding final : public Op {
 public:
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);
  const char* name() const override { return "patch_embedding"; }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  PatchEmbedding(const Shape& in, int kernel, int stride, int64_t dim, bool bias);
  int64_t batch_, h_, w_, c_, ho_, wo_, dim_;
  int kernel_, stride_;
  bool bias_;
  Tensor cols_, dcols_;  // [B*Ho*Wo, k*k*C] gathered patches and their gradient
};

class PositionalEncoding final : public Op {
 public:
  // learned = false: sinusoidal.
  static Result<std::unique_ptr<Op>> create(bool learned, const OpAttrs& attrs,
                                            std::span<const Shape> inputs);
  const char* name() const override {
    return learned_ ? "positional_encoding_learned" : "positional_encoding_sinusoidal";
  }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs,
               std::span<const Tensor> params, std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

 private:
  PositionalEncoding(bool learned, const Shape& in);
  bool learned_;
  int64_t batch_, seq_, dim_;
  Tensor table_;  // sinusoidal [S, D]
};

}  // namespace nas::ops
