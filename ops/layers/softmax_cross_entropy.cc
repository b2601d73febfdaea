#include "ops/layers/softmax_cross_entropy.h"

#include <cmath>
#include <string>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {

void argmax_rows(const float* logits, int64_t rows, int64_t classes, int64_t* out) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* z = logits + i * classes;
    int64_t best = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (z[k] > z[best]) best = k;
    out[i] = best;
  }
}

int64_t count_top_k_correct(const float* logits, const float* labels, int64_t rows, int64_t classes,
                            int k) {
  NAS_CHECK(k >= 1);
  int64_t hits = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const float* z = logits + i * classes;
    const int64_t y = static_cast<int64_t>(labels[i]);
    NAS_CHECK(y >= 0 && y < classes);
    // The label's rank: classes that beat it (ties to the lower index).
    int64_t ahead = 0;
    for (int64_t j = 0; j < classes; ++j) ahead += (z[j] > z[y]) || (z[j] == z[y] && j < y);
    hits += ahead < k;
  }
  return hits;
}

namespace {

class SoftmaxCrossEntropy final : public Op {
 public:
  SoftmaxCrossEntropy(const Shape& logits, const Shape& labels, float smoothing)
      : n_(logits[0]), k_(logits[logits.rank() - 1]), smoothing_(smoothing) {
    input_shapes_ = {logits, labels};
    output_shapes_ = {Shape{1}};
    probs_.assign(n_ * k_, 0.0f);
    row_loss_.assign(n_, 0.0);
  }
  const char* name() const override { return "softmax_cross_entropy"; }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.flops_other = 5 * n_ * k_ + n_;
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
               std::span<Tensor> outputs) override {
    const float* logits = inputs[0].data();
    const float* labels = inputs[1].data();
    const int64_t k = k_;
    const double on = 1.0 - smoothing_, off = static_cast<double>(smoothing_) / k_;
    // Per row in double: loss = logsumexp(z) - sum_k t_k z_k; probabilities
    // kept for backward. Rows are independent; the mean is summed in order.
    parallel_for(n_, layers::row_grain(4 * k), [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; ++i) {
        const float* z = logits + i * k;
        float* p = probs_.data() + i * k;
        const int64_t y = label_of(labels[i]);
        float mx = z[0];
        for (int64_t j = 1; j < k; ++j) mx = std::max(mx, z[j]);
        double sum = 0.0, dot = 0.0;
        for (int64_t j = 0; j < k; ++j) {
          const float e = std::exp(z[j] - mx);
          p[j] = e;
          sum += e;
          dot += (z[j] - mx) * off;
        }
        dot += (z[y] - mx) * on;
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < k; ++j) p[j] *= inv;
        row_loss_[i] = std::log(sum) - dot;
      }
    });
    double total = 0.0;
    for (int64_t i = 0; i < n_; ++i) total += row_loss_[i];
    outputs[0].data()[0] = static_cast<float>(total / n_);
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor>,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor>) override {
    if (input_grads[1].defined()) input_grads[1].fill(0.0f);
    if (!input_grads[0].defined()) return;
    const float* labels = inputs[1].data();
    const float scale = output_grads[0].data()[0] / static_cast<float>(n_);
    const float off = smoothing_ / static_cast<float>(k_), on = 1.0f - smoothing_;
    float* dz = input_grads[0].data();
    const int64_t k = k_;
    parallel_for(n_, layers::row_grain(k), [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; ++i) {
        const float* p = probs_.data() + i * k;
        float* d = dz + i * k;
        for (int64_t j = 0; j < k; ++j) d[j] = (p[j] - off) * scale;
        d[label_of(labels[i])] -= on * scale;
      }
    });
  }

 private:
  int64_t label_of(float v) const {
    const int64_t y = static_cast<int64_t>(v);
    // A label outside [0, K) is a data-loader bug: datasets check their labels.
    NAS_CHECK(y >= 0 && y < k_ && static_cast<float>(y) == v);
    return y;
  }

  int64_t n_, k_;
  float smoothing_;
  std::vector<float> probs_;      // state: softmax of the last forward [N,K]
  std::vector<double> row_loss_;  // state: per-row losses
};

}  // namespace

Result<std::unique_ptr<Op>> create_softmax_cross_entropy(const OpAttrs& attrs,
                                                         std::span<const Shape> inputs) {
  const char* name = "softmax_cross_entropy";
  if (inputs.size() != 2)
    return layers::creation_error(name, inputs, "expected two inputs (logits, labels)");
  const Shape& z = inputs[0];
  const Shape& y = inputs[1];
  const bool logits_ok = z.rank() == 2 || (z.rank() == 4 && z[1] == 1 && z[2] == 1);
  if (!logits_ok || z[0] < 1 || z[z.rank() - 1] < 1)
    return layers::creation_error(name, inputs, "logits must be [N,K] or [N,1,1,K], N, K >= 1");
  const bool labels_ok = (y.rank() == 1 || (y.rank() == 2 && y[1] == 1)) && y[0] == z[0];
  if (!labels_ok)
    return layers::creation_error(name, inputs, "labels must be [N] (or [N,1]) with the logits' N");
  if (!(attrs.label_smoothing >= 0.0f && attrs.label_smoothing <= 1.0f))
    return layers::creation_error(
        name, inputs,
        "label_smoothing must be in [0, 1] (got " + std::to_string(attrs.label_smoothing) + ")");
  return std::unique_ptr<Op>(std::make_unique<SoftmaxCrossEntropy>(z, y, attrs.label_smoothing));
}

}  // namespace nas::ops
