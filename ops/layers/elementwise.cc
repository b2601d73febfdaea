#include "ops/layers/elementwise.h"

#include <algorithm>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

enum class Binary { kAdd, kMul };

// a is viewed as rows of C floats, grouped as [outer = N][inner = H*W]. Row r
// of a pairs with row r of b (same shape), row r / inner (b [N,1,..,C]) or
// row 0 (b [1,..,1,C]).
class Elementwise final : public Op {
 public:
  Elementwise(Binary kind, const Shape& a, const Shape& b) : kind_(kind) {
    input_shapes_ = {a, b};
    output_shapes_ = {a};
    same_ = a == b;
    c_ = a[a.rank() - 1];
    outer_ = a[0];
    inner_ = a.numel() / (outer_ * c_);
    b_per_outer_ = !same_ && b[0] == outer_ && outer_ > 1;
    if (!same_ && !b_per_outer_)
      partials_.assign(layers::RowBlocks(outer_ * inner_).count * c_, 0.0f);
    sums_.assign(c_, 0.0);
  }
  const char* name() const override { return kind_ == Binary::kAdd ? "add" : "mul"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = output_shapes_[0].numel();
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    const float* a = inputs[0].data();
    const float* b = inputs[1].data();
    float* y = outputs[0].data();
    const bool add = kind_ == Binary::kAdd;
    const int64_t rows = outputs[0].numel() / c_, c = c_;
    parallel_for(rows, layers::elementwise_row_grain(c), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* ar = a + r * c;
        const float* br = b + b_row(r) * c;
        float* yr = y + r * c;
        if (add) {
          for (int64_t j = 0; j < c; ++j) yr[j] = ar[j] + br[j];
        } else {
          for (int64_t j = 0; j < c; ++j) yr[j] = ar[j] * br[j];
        }
      }
    });
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    const float* a = inputs[0].data();
    const float* b = inputs[1].data();
    const float* dy = output_grads[0].data();
    const bool add = kind_ == Binary::kAdd;
    const int64_t rows = output_grads[0].numel() / c_, c = c_;
    if (same_) {
      // One pass over dy for both gradients: dy read once, each grad written once.
      float* da = input_grads[0].defined() ? input_grads[0].data() : nullptr;
      float* db = input_grads[1].defined() ? input_grads[1].data() : nullptr;
      if (da == nullptr && db == nullptr) return;
      parallel_for(rows * c, layers::kElementwiseGrain, [&](int64_t i0, int64_t i1) {
        const int64_t n = i1 - i0;
        const float* g = dy + i0;
        if (add) {  // a gradient that IS dy (run in place by the executor) needs no copy
          if (da != nullptr && da != dy) std::copy(g, g + n, da + i0);
          if (db != nullptr && db != dy) std::copy(g, g + n, db + i0);
          return;
        }
        if (da != nullptr)
          for (int64_t i = 0; i < n; ++i) da[i0 + i] = g[i] * b[i0 + i];
        if (db != nullptr)
          for (int64_t i = 0; i < n; ++i) db[i0 + i] = g[i] * a[i0 + i];
      });
      return;
    }
    if (input_grads[0].defined()) {  // da = dy (add) or dy * b (mul)
      float* da = input_grads[0].data();
      parallel_for(rows, layers::elementwise_row_grain(c), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const float* gr = dy + r * c;
          float* dr = da + r * c;
          if (add) {
            std::copy(gr, gr + c, dr);
          } else {
            const float* br = b + b_row(r) * c;
            for (int64_t j = 0; j < c; ++j) dr[j] = gr[j] * br[j];
          }
        }
      });
    }
    if (!input_grads[1].defined()) return;
    float* db = input_grads[1].data();
    // Rows [r0, r1) of dy (times a, for mul) summed into acc.
    auto accumulate = [&](int64_t r0, int64_t r1, float* acc) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* gr = dy + r * c;
        if (add) {
          for (int64_t j = 0; j < c; ++j) acc[j] += gr[j];
        } else {
          const float* ar = a + r * c;
          for (int64_t j = 0; j < c; ++j) acc[j] += gr[j] * ar[j];
        }
      }
    };
    if (b_per_outer_) {
      // One task per n: its inner rows are summed in order.
      parallel_for(outer_, 1, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
          float* dbn = db + n * c;
          std::fill(dbn, dbn + c, 0.0f);
          accumulate(n * inner_, (n + 1) * inner_, dbn);
        }
      });
    } else {
      layers::reduce_rows(layers::RowBlocks(rows), c, partials_.data(), sums_.data(), accumulate);
      for (int64_t j = 0; j < c; ++j) db[j] = static_cast<float>(sums_[j]);
    }
  }

 private:
  // The row of b paired with row r of a.
  int64_t b_row(int64_t r) const {
    if (same_) return r;
    return b_per_outer_ ? r / inner_ : 0;
  }

  Binary kind_;
  bool same_ = false, b_per_outer_ = false;
  int64_t c_ = 0, outer_ = 0, inner_ = 0;
  std::vector<float> partials_;  // state: db reduction when b is [1,...,1,C]
  std::vector<double> sums_;
};

Result<std::unique_ptr<Op>> create_binary(Binary kind, std::span<const Shape> inputs) {
  const char* name = kind == Binary::kAdd ? "add" : "mul";
  if (inputs.size() != 2)
    return layers::creation_error(name, inputs, "expected exactly two inputs");
  const Shape& a = inputs[0];
  const Shape& b = inputs[1];
  if (a.rank() < 1 || a.numel() == 0)
    return layers::creation_error(name, inputs, "expected a non-empty first input");
  if (!(a == b)) {
    bool ok = a.rank() >= 2 && b.rank() == a.rank() && (b[0] == a[0] || b[0] == 1) &&
              b[b.rank() - 1] == a[a.rank() - 1];
    for (int i = 1; ok && i + 1 < b.rank(); ++i) ok = b[i] == 1;
    if (!ok)
      return layers::creation_error(
          name, inputs,
          "second input must have the first's shape or be broadcast over channels "
          "([N,1,1,C] or [1,1,1,C])");
  }
  return std::unique_ptr<Op>(std::make_unique<Elementwise>(kind, a, b));
}

}  // namespace

Result<std::unique_ptr<Op>> create_add(const OpAttrs&, std::span<const Shape> inputs) {
  return create_binary(Binary::kAdd, inputs);
}

Result<std::unique_ptr<Op>> create_mul(const OpAttrs&, std::span<const Shape> inputs) {
  return create_binary(Binary::kMul, inputs);
}

}  // namespace nas::ops
