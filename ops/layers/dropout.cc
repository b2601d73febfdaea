#include "ops/layers/dropout.h"

#include <algorithm>
#include <string>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

// The mask hash. 32-bit arithmetic only, so the loop vectorises (64-bit
// multiplies do not on AVX2): the seed is mixed once into two 32-bit keys
// (splitmix64), then each index goes through murmur3's fmix32 with the first
// key xor-ed in, and one more xor-multiply round with the second, so masks of
// different seeds are not shifts of one sequence.
struct MaskKeys {
  uint32_t k1, k2;
};

inline MaskKeys mask_keys(uint64_t seed) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return {static_cast<uint32_t>(z), static_cast<uint32_t>(z >> 32)};
}

inline uint32_t mask_hash(MaskKeys k, uint32_t index) {
  uint32_t h = (index * 0x9E3779B1u) ^ k.k1;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  h ^= k.k2;
  h *= 0x27D4EB2Fu;
  return h ^ (h >> 15);
}

// Keep when the top 24 bits, as a fraction of 2^24, are >= p.
inline uint32_t threshold(float p) {
  return static_cast<uint32_t>(static_cast<double>(p) * 16777216.0);
}

inline bool keep(MaskKeys k, int64_t index, uint32_t thr) {
  return (mask_hash(k, static_cast<uint32_t>(index)) >> 8) >= thr;
}

class Dropout final : public Op {
 public:
  Dropout(const Shape& in, float p) : p_(p) {
    input_shapes_ = {in};
    output_shapes_ = {in};
  }
  const char* name() const override { return "dropout"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = input_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext& ctx, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    apply(ctx, inputs[0].data(), outputs[0].data(), inputs[0].numel());
  }

  void backward(const OpContext& ctx, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (input_grads[0].defined())
      apply(ctx, output_grads[0].data(), input_grads[0].data(), output_grads[0].numel());
  }

 private:
  // Forward and backward are the same masked scaling.
  void apply(const OpContext& ctx, const float* src, float* dst, int64_t n) const {
    if (!ctx.training || p_ == 0.0f) {
      if (src != dst)
        parallel_for(n, kGrain,
                     [&](int64_t b, int64_t e) { std::copy(src + b, src + e, dst + b); });
      return;
    }
    const uint32_t thr = threshold(p_);
    const float scale = 1.0f / (1.0f - p_);
    const MaskKeys keys = mask_keys(ctx.seed);
    parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const float v = src[i] * scale;
        dst[i] = keep(keys, i, thr) ? v : 0.0f;
      }
    });
  }

  static constexpr int64_t kGrain = int64_t{1} << 14;
  float p_;
};

}  // namespace

bool dropout_keep(uint64_t seed, int64_t index, float p) {
  return keep(mask_keys(seed), index, threshold(p));
}

Result<std::unique_ptr<Op>> create_dropout(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1)
    return layers::creation_error("dropout", inputs, "expected exactly one input");
  if (inputs[0].numel() > (int64_t{1} << 32))
    return layers::creation_error("dropout", inputs, "expected at most 2^32 elements");
  if (!(attrs.probability >= 0.0f && attrs.probability < 1.0f))
    return layers::creation_error(
        "dropout", inputs,
        "probability must be in [0, 1) (got " + std::to_string(attrs.probability) + ")");
  return std::unique_ptr<Op>(std::make_unique<Dropout>(inputs[0], attrs.probability));
}

}  // namespace nas::ops
