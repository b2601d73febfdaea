#include "ops/seq/embedding.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/core/parallel.h"
#include "ops/seq/seq_math.h"

namespace nas::ops {
namespace {
constexpr int64_t kF = sizeof(float);

// The table row of a float id, or -1 when it is not a valid id.
int64_t row_of(float id, int64_t vocab) {
  if (!(id >= 0.0f) || id >= static_cast<float>(vocab) || id != std::floor(id)) return -1;
  return static_cast<int64_t>(id);
}

float* grad_or_null(std::span<Tensor> grads, size_t i) {
  return i < grads.size() && grads[i].defined() ? grads[i].data() : nullptr;
}

void copy_parallel(const float* src, float* dst, int64_t n) {
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    std::memcpy(dst + b, src + b, (e - b) * sizeof(float));
  });
}
}  // namespace

// ---- embedding ----

Result<std::unique_ptr<Op>> Embedding::create(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 2)
    return Status::error("failed to create embedding: expected one [B, S] input of ids");
  if (attrs.vocab < 1 || attrs.out_channels < 1)
    return Status::error("failed to create embedding with vocab " + std::to_string(attrs.vocab) +
                         " and out_channels " + std::to_string(attrs.out_channels) +
                         ": both must be >= 1");
  return std::unique_ptr<Op>(new Embedding(inputs[0], attrs.vocab, attrs.out_channels));
}

Embedding::Embedding(const Shape& ids, int64_t vocab, int64_t dim)
    : tokens_(ids.numel()), vocab_(vocab), dim_(dim) {
  input_shapes_ = {ids};
  output_shapes_ = {Shape{ids[0], ids[1], dim}};
  param_specs_.push_back({"weight", Shape{vocab, dim}, Init::kXavierUniform, vocab, dim});
}

OpCost Embedding::cost() const {
  OpCost c;
  c.params = vocab_ * dim_;
  c.bytes_read = (tokens_ + tokens_ * dim_) * kF;  // ids and the rows gathered
  c.bytes_written = tokens_ * dim_ * kF;
  return c;
}

void Embedding::forward(const OpContext&, std::span<const Tensor> inputs,
                        std::span<const Tensor> params, std::span<Tensor> outputs) {
  const float* ids = inputs[0].data();
  const float* table = params[0].data();
  float* y = outputs[0].data();
  parallel_for(tokens_, 64, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t r = row_of(ids[t], vocab_);
      if (r < 0) std::fill(y + t * dim_, y + (t + 1) * dim_, 0.0f);
      else std::memcpy(y + t * dim_, table + r * dim_, dim_ * kF);
    }
  });
}

void Embedding::backward(const OpContext&, std::span<const Tensor> inputs,
                         std::span<const Tensor>, std::span<const Tensor>,
                         std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                         std::span<Tensor> param_grads) {
  if (!input_grads.empty() && input_grads[0].defined()) input_grads[0].fill(0.0f);
  float* dtable = grad_or_null(param_grads, 0);
  if (dtable == nullptr) return;
  const float* ids = inputs[0].data();
  const float* dy = output_grads[0].data();
  // Parallel over column blocks, tokens in order within each: repeated ids
  // are summed in the same order on any thread count.
  const int64_t blocks = (dim_ + 63) / 64;
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    const int64_t c0 = b0 * 64, c1 = std::min(dim_, b1 * 64);
    for (int64_t r = 0; r < vocab_; ++r) std::fill(dtable + r * dim_ + c0, dtable + r * dim_ + c1, 0.0f);
    for (int64_t t = 0; t < tokens_; ++t) {
      const int64_t r = row_of(ids[t], vocab_);
      if (r < 0) continue;
      float* dst = dtable + r * dim_;
      const float* src = dy + t * dim_;
      for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
    }
  });
}

// ---- patch embedding ----

Result<std::unique_ptr<Op>> PatchEmbedding::create(const OpAttrs& attrs,
                                                   std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 4)
    return Status::error("failed to create patch_embedding: expected one NHWC [B, H, W, C] input");
  const Shape& x = inputs[0];
  if (attrs.kernel < 1 || attrs.stride < 1 || attrs.out_channels < 1)
    return Status::error("failed to create patch_embedding with kernel " +
                         std::to_string(attrs.kernel) + ", stride " + std::to_string(attrs.stride) +
                         ", out_channels " + std::to_string(attrs.out_channels) +
                         ": all must be >= 1");
  if (x[1] < attrs.kernel || x[2] < attrs.kernel)
    return Status::error("failed to create patch_embedding with input " + x.str() +
                         ": image smaller than the kernel " + std::to_string(attrs.kernel));
  return std::unique_ptr<Op>(
      new PatchEmbedding(x, attrs.kernel, attrs.stride, attrs.out_channels, attrs.bias));
}

PatchEmbedding::PatchEmbedding(const Shape& in, int kernel, int stride, int64_t dim, bool bias)
    : batch_(in[0]), h_(in[1]), w_(in[2]), c_(in[3]), dim_(dim), kernel_(kernel),
      stride_(stride), bias_(bias) {
  ho_ = (h_ - kernel) / stride + 1;
  wo_ = (w_ - kernel) / stride + 1;
  const int64_t k = int64_t{kernel} * kernel * c_;
  input_shapes_ = {in};
  output_shapes_ = {Shape{batch_, ho_ * wo_, dim_}};
  param_specs_.push_back({"weight", Shape{k, dim_}, Init::kKaimingNormal, k, dim_});
  if (bias_) param_specs_.push_back({"bias", Shape{dim_}, Init::kZeros});
}

OpCost PatchEmbedding::cost() const {
  OpCost c;
  const int64_t rows = batch_ * ho_ * wo_, k = int64_t{kernel_} * kernel_ * c_;
  c.params = k * dim_ + (bias_ ? dim_ : 0);
  c.macs = rows * k * dim_;
  c.flops_other = bias_ ? rows * dim_ : 0;
  c.bytes_read = (batch_ * h_ * w_ * c_ + c.params) * kF;
  c.bytes_written = rows * dim_ * kF;
  return c;
}

void PatchEmbedding::forward(const OpContext&, std::span<const Tensor> inputs,
                             std::span<const Tensor> params, std::span<Tensor> outputs) {
  const int64_t rows = batch_ * ho_ * wo_, krow = int64_t{kernel_} * c_, k = kernel_ * krow;
  if (!cols_.defined()) cols_ = Tensor::empty(Shape{rows, k});
  const float* x = inputs[0].data();
  float* cols = cols_.data();
  parallel_for(rows, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / (ho_ * wo_), oy = r / wo_ % ho_, ox = r % wo_;
      for (int ky = 0; ky < kernel_; ++ky) {
        // One (ky) row of the patch is kernel*C contiguous floats in NHWC.
        const float* src = x + ((b * h_ + oy * stride_ + ky) * w_ + ox * stride_) * c_;
        std::memcpy(cols + r * k + ky * krow, src, krow * kF);
      }
    }
  });
  seq::linear_forward(cols, rows, k, params[0].data(), bias_ ? params[1].data() : nullptr, dim_,
                      outputs[0].data());
}

void PatchEmbedding::backward(const OpContext&, std::span<const Tensor>,
                              std::span<const Tensor> params, std::span<const Tensor>,
                              std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                              std::span<Tensor> param_grads) {
  const int64_t rows = batch_ * ho_ * wo_, krow = int64_t{kernel_} * c_, k = kernel_ * krow;
  float* dx = !input_grads.empty() && input_grads[0].defined() ? input_grads[0].data() : nullptr;
  if (dx != nullptr && !dcols_.defined()) dcols_ = Tensor::empty(Shape{rows, k});
  seq::linear_backward(cols_.data(), rows, k, params[0].data(), dim_, output_grads[0].data(),
                       dx ? dcols_.data() : nullptr, grad_or_null(param_grads, 0),
                       bias_ ? grad_or_null(param_grads, 1) : nullptr);
  if (dx == nullptr) return;
  const float* dcols = dcols_.data();
  // Per image, patches in order: overlapping patches (stride < kernel) are
  // summed in a fixed order.
  parallel_for(batch_, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* img = dx + b * h_ * w_ * c_;
      std::fill(img, img + h_ * w_ * c_, 0.0f);
      for (int64_t p = 0; p < ho_ * wo_; ++p) {
        const int64_t oy = p / wo_, ox = p % wo_, r = b * ho_ * wo_ + p;
        for (int ky = 0; ky < kernel_; ++ky) {
          float* dst = img + ((oy * stride_ + ky) * w_ + ox * stride_) * c_;
          const float* src = dcols + r * k + ky * krow;
          for (int64_t i = 0; i < krow; ++i) dst[i] += src[i];
        }
      }
    }
  });
}

// ---- positional encodings ----

Result<std::unique_ptr<Op>> PositionalEncoding::create(bool learned, const OpAttrs&,
                                                       std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 3 || inputs[0].numel() < 1)
    return Status::error(std::string("failed to create positional_encoding_") +
                         (learned ? "learned" : "sinusoidal") + ": expected one [B, S, D] input");
  return std::unique_ptr<Op>(new PositionalEncoding(learned, inputs[0]));
}

PositionalEncoding::PositionalEncoding(bool learned, const Shape& in)
    : learned_(learned), batch_(in[0]), seq_(in[1]), dim_(in[2]) {
  input_shapes_ = {in};
  output_shapes_ = {in};
  if (learned_) {
    param_specs_.push_back({"pos", Shape{seq_, dim_}, Init::kXavierUniform, seq_, dim_});
    return;
  }
  table_ = Tensor::empty(Shape{seq_, dim_});
  for (int64_t s = 0; s < seq_; ++s)
    for (int64_t c = 0; c < dim_; ++c) {
      const double freq = std::pow(10000.0, -static_cast<double>(c - c % 2) / dim_);
      const double a = static_cast<double>(s) * freq;
      table_.data()[s * dim_ + c] = static_cast<float>(c % 2 == 0 ? std::sin(a) : std::cos(a));
    }
}

OpCost PositionalEncoding::cost() const {
  OpCost c;
  const int64_t n = batch_ * seq_ * dim_;
  c.params = learned_ ? seq_ * dim_ : 0;
  c.flops_other = n;
  c.bytes_read = (n + seq_ * dim_) * kF;
  c.bytes_written = n * kF;
  return c;
}

void PositionalEncoding::forward(const OpContext&, std::span<const Tensor> inputs,
                                 std::span<const Tensor> params, std::span<Tensor> outputs) {
  const float* pe = learned_ ? params[0].data() : table_.data();
  const float* x = inputs[0].data();
  float* y = outputs[0].data();
  parallel_for(batch_ * seq_, 32, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* p = pe + (r % seq_) * dim_;
      for (int64_t c = 0; c < dim_; ++c) y[r * dim_ + c] = x[r * dim_ + c] + p[c];
    }
  });
}

void PositionalEncoding::backward(const OpContext&, std::span<const Tensor>,
                                  std::span<const Tensor>, std::span<const Tensor>,
                                  std::span<const Tensor> output_grads,
                                  std::span<Tensor> input_grads, std::span<Tensor> param_grads) {
  const float* dy = output_grads[0].data();
  if (!input_grads.empty() && input_grads[0].defined())
    copy_parallel(dy, input_grads[0].data(), batch_ * seq_ * dim_);
  float* dpos = learned_ ? grad_or_null(param_grads, 0) : nullptr;
  if (dpos == nullptr) return;
  // dpos[s, :] = sum over b of dy[b, s, :]: a column sum of [B, S*D].
  seq::column_sum(dy, batch_, seq_ * dim_, seq_ * dim_, dpos, false);
}

}  // namespace nas::ops
