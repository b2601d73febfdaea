#include "ops/layers/concat_split.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

// Copies between one wide tensor [rows, C] and parts [rows, c_i] that tile
// its channels in order. to_parts: wide -> parts (split forward, concat
// backward); otherwise parts -> wide.
void move_channels(float* wide, std::span<float* const> parts, std::span<const int64_t> widths,
                   int64_t rows, bool to_parts) {
  int64_t total = 0;
  for (int64_t w : widths) total += w;
  parallel_for(rows, layers::row_grain(total), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = wide + r * total;
      for (std::size_t i = 0; i < widths.size(); ++i) {
        const int64_t w = widths[i];
        if (parts[i] != nullptr) {
          float* part = parts[i] + r * w;
          if (to_parts) {
            std::copy(row, row + w, part);
          } else {
            std::copy(part, part + w, row);
          }
        }
        row += w;
      }
    }
  });
}

class ChannelMove final : public Op {
 public:
  // concat: `parts` are the inputs; split: the outputs.
  ChannelMove(bool is_concat, const std::vector<Shape>& parts, const Shape& wide)
      : concat_(is_concat) {
    for (const Shape& s : parts) widths_.push_back(s[s.rank() - 1]);
    rows_ = wide.numel() / std::max<int64_t>(wide[wide.rank() - 1], 1);
    if (concat_) {
      input_shapes_ = parts;
      output_shapes_ = {wide};
    } else {
      input_shapes_ = {wide};
      output_shapes_ = parts;
    }
    ptrs_.resize(parts.size());
  }
  const char* name() const override { return concat_ ? "concat" : "split"; }

  OpCost cost() const override {
    return layers::io_cost(input_shapes_, output_shapes_, param_specs_);
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    if (concat_) {
      for (std::size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = inputs[i].data();
      move_channels(outputs[0].data(), ptrs_, widths_, rows_, false);
    } else {
      for (std::size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = outputs[i].data();
      move_channels(inputs[0].data(), ptrs_, widths_, rows_, true);
    }
  }

  void backward(const OpContext&, std::span<const Tensor>, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (concat_) {
      bool any = false;
      for (std::size_t i = 0; i < ptrs_.size(); ++i) {
        ptrs_[i] = input_grads[i].data();  // nullptr when not needed: skipped
        any = any || ptrs_[i] != nullptr;
      }
      if (any) move_channels(output_grads[0].data(), ptrs_, widths_, rows_, true);
    } else {
      if (!input_grads[0].defined()) return;
      for (std::size_t i = 0; i < ptrs_.size(); ++i) ptrs_[i] = output_grads[i].data();
      move_channels(input_grads[0].data(), ptrs_, widths_, rows_, false);
    }
  }

 private:
  bool concat_;
  std::vector<int64_t> widths_;
  int64_t rows_ = 0;
  std::vector<float*> ptrs_;  // state sized once: per-call part pointers
};

// True when a and b agree on every dimension but the last.
bool same_but_last(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (int i = 0; i + 1 < a.rank(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

Result<std::unique_ptr<Op>> create_concat(const OpAttrs&, std::span<const Shape> inputs) {
  if (inputs.empty()) return layers::creation_error("concat", inputs, "expected >= 1 input");
  Shape wide = inputs[0];
  if (wide.rank() < 1) return layers::creation_error("concat", inputs, "expected rank >= 1");
  int64_t total = 0;
  for (const Shape& s : inputs) {
    if (!same_but_last(s, inputs[0]))
      return layers::creation_error("concat", inputs,
                                    "all inputs must match in every dimension but the last");
    if (s[s.rank() - 1] < 1)
      return layers::creation_error("concat", inputs, "every input needs >= 1 channel");
    total += s[s.rank() - 1];
  }
  wide[wide.rank() - 1] = total;
  return std::unique_ptr<Op>(
      std::make_unique<ChannelMove>(true, std::vector<Shape>(inputs.begin(), inputs.end()), wide));
}

Result<std::unique_ptr<Op>> create_split(const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() < 1)
    return layers::creation_error("split", inputs, "expected one input of rank >= 1");
  const Shape& wide = inputs[0];
  const int64_t c = wide[wide.rank() - 1];
  int64_t total = 0;
  bool positive = !attrs.split_sizes.empty();
  std::string sizes;
  for (int64_t s : attrs.split_sizes) {
    if (!sizes.empty()) sizes += ',';
    sizes += std::to_string(s);
    positive = positive && s >= 1;
    total += s;
  }
  if (!positive || total != c)
    return layers::creation_error("split", inputs,
                                  "split_sizes [" + sizes + "] must be >= 1 each and sum to " +
                                      std::to_string(c) + " channels");
  std::vector<Shape> parts;
  for (int64_t s : attrs.split_sizes) {
    Shape p = wide;
    p[p.rank() - 1] = s;
    parts.push_back(p);
  }
  return std::unique_ptr<Op>(std::make_unique<ChannelMove>(false, parts, wide));
}

}  // namespace nas::ops
