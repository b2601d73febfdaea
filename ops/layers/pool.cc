#include "ops/layers/pool.h"

#include <algorithm>
#include <limits>
#include <string>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

enum class PoolKind { kMax, kAvg };

// Window geometry for one output position along one axis: input range [lo, hi).
struct Span1d {
  int64_t lo, hi;
};

class Pool2d final : public Op {
 public:
  Pool2d(PoolKind kind, const Shape& in, int64_t k, int64_t s, int64_t p)
      : kind_(kind), k_(k), s_(s), p_(p) {
    n_ = in[0];
    h_ = in[1];
    w_ = in[2];
    c_ = in[3];
    ho_ = (h_ + 2 * p - k) / s + 1;
    wo_ = (w_ + 2 * p - k) / s + 1;
    input_shapes_ = {in};
    output_shapes_ = {Shape{n_, ho_, wo_, c_}};
  }

  const char* name() const override { return kind_ == PoolKind::kMax ? "max_pool" : "avg_pool"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    int64_t rows = 0, cols = 0;
    for (int64_t o = 0; o < ho_; ++o) rows += span(o, h_).hi - span(o, h_).lo;
    for (int64_t o = 0; o < wo_; ++o) cols += span(o, w_).hi - span(o, w_).lo;
    c.flops_other = n_ * c_ * rows * cols;
    if (kind_ == PoolKind::kAvg) c.flops_other += output_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    const float* x = inputs[0].data();
    float* y = outputs[0].data();
    const bool is_max = kind_ == PoolKind::kMax;
    // One task per output row (n, oh); the C channels of a pixel are
    // contiguous, so the inner loop is a unit-stride vector loop.
    parallel_for(n_ * ho_, layers::row_grain(wo_ * c_ * k_ * k_), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t n = r / ho_, oh = r % ho_;
        const Span1d sh = span(oh, h_);
        for (int64_t ow = 0; ow < wo_; ++ow) {
          const Span1d sw = span(ow, w_);
          float* yo = y + (r * wo_ + ow) * c_;
          std::fill(yo, yo + c_, is_max ? -std::numeric_limits<float>::infinity() : 0.0f);
          for (int64_t ih = sh.lo; ih < sh.hi; ++ih)
            for (int64_t iw = sw.lo; iw < sw.hi; ++iw) {
              const float* xi = x + ((n * h_ + ih) * w_ + iw) * c_;
              if (is_max) {
                for (int64_t c = 0; c < c_; ++c) yo[c] = std::max(yo[c], xi[c]);
              } else {
                for (int64_t c = 0; c < c_; ++c) yo[c] += xi[c];
              }
            }
          if (!is_max) {
            const float inv = 1.0f / static_cast<float>((sh.hi - sh.lo) * (sw.hi - sw.lo));
            for (int64_t c = 0; c < c_; ++c) yo[c] *= inv;
          }
        }
      }
    });
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
                std::span<const Tensor> outputs, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (!input_grads[0].defined()) return;
    const float* x = inputs[0].data();
    const float* y = outputs[0].data();
    const float* dy = output_grads[0].data();
    float* dx = input_grads[0].data();
    // Windows overlap when stride < kernel, so tasks own whole images: each
    // dx element is accumulated by one thread in a fixed order.
    parallel_for(n_, 1, [&](int64_t n0, int64_t n1) {
      ScratchScope scratch;
      float* pending = scratch.alloc_floats(c_);  // max: 1 until the channel's argmax is found
      std::fill(dx + n0 * h_ * w_ * c_, dx + n1 * h_ * w_ * c_, 0.0f);
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t oh = 0; oh < ho_; ++oh) {
          const Span1d sh = span(oh, h_);
          for (int64_t ow = 0; ow < wo_; ++ow) {
            const Span1d sw = span(ow, w_);
            const int64_t o = ((n * ho_ + oh) * wo_ + ow) * c_;
            const float* yo = y + o;
            const float* go = dy + o;
            if (kind_ == PoolKind::kMax) std::fill(pending, pending + c_, 1.0f);
            const float inv = 1.0f / static_cast<float>((sh.hi - sh.lo) * (sw.hi - sw.lo));
            for (int64_t ih = sh.lo; ih < sh.hi; ++ih)
              for (int64_t iw = sw.lo; iw < sw.hi; ++iw) {
                const int64_t i = ((n * h_ + ih) * w_ + iw) * c_;
                const float* xi = x + i;
                float* gi = dx + i;
                if (kind_ == PoolKind::kMax) {
                  for (int64_t c = 0; c < c_; ++c) {  // branch-free: vectorises
                    const float p = pending[c], g = go[c];
                    const bool hit = (p != 0.0f) & (xi[c] == yo[c]);
                    gi[c] += hit ? g : 0.0f;
                    pending[c] = hit ? 0.0f : p;
                  }
                } else {
                  for (int64_t c = 0; c < c_; ++c) gi[c] += go[c] * inv;
                }
              }
          }
        }
    });
  }

 private:
  Span1d span(int64_t o, int64_t extent) const {
    const int64_t start = o * s_ - p_;
    return {std::max<int64_t>(start, 0), std::min<int64_t>(start + k_, extent)};
  }

  PoolKind kind_;
  int64_t k_, s_, p_;
  int64_t n_ = 0, h_ = 0, w_ = 0, c_ = 0, ho_ = 0, wo_ = 0;
};

Result<std::unique_ptr<Op>> create_pool(PoolKind kind, const OpAttrs& attrs,
                                        std::span<const Shape> inputs) {
  const char* name = kind == PoolKind::kMax ? "max_pool" : "avg_pool";
  if (inputs.size() != 1 || inputs[0].rank() != 4)
    return layers::creation_error(name, inputs, "expected one NHWC input of rank 4");
  const int64_t k = attrs.kernel, s = attrs.stride;
  const int64_t p = attrs.padding < 0 ? (k - 1) / 2 : attrs.padding;
  if (k < 1 || s < 1)
    return layers::creation_error(name, inputs,
                                  "kernel and stride must be >= 1 (got kernel " +
                                      std::to_string(k) + ", stride " + std::to_string(s) + ")");
  if (2 * p > k)
    return layers::creation_error(name, inputs,
                                  "padding " + std::to_string(p) +
                                      " must be at most kernel/2 (kernel " + std::to_string(k) +
                                      ")");
  const Shape& in = inputs[0];
  if (in[1] + 2 * p < k || in[2] + 2 * p < k || in[3] < 1 || in[0] < 1)
    return layers::creation_error(
        name, inputs, "kernel " + std::to_string(k) + " is larger than the padded input");
  return std::unique_ptr<Op>(std::make_unique<Pool2d>(kind, in, k, s, p));
}

}  // namespace

Result<std::unique_ptr<Op>> create_max_pool(const OpAttrs& attrs, std::span<const Shape> inputs) {
  return create_pool(PoolKind::kMax, attrs, inputs);
}

Result<std::unique_ptr<Op>> create_avg_pool(const OpAttrs& attrs, std::span<const Shape> inputs) {
  return create_pool(PoolKind::kAvg, attrs, inputs);
}

}  // namespace nas::ops
