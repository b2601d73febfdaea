#include "nas/search/strategies/reinforce/decision_head.h"

#include <algorithm>
#include <cmath>

#include "ops/core/status.h"
#include "ops/layers/softmax_cross_entropy.h"

namespace nas::search::reinforce {

DecisionHead::DecisionHead(int64_t choices, double temperature, double tanh_constant)
    : choices_(choices), temperature_(temperature), tanh_constant_(tanh_constant) {
  NAS_CHECK(choices >= 1 && temperature > 0 && tanh_constant >= 0);
}

void DecisionHead::transform(const float* z, int64_t rows, float* u) const {
  const float inv_t = static_cast<float>(1.0 / temperature_);
  const float c = static_cast<float>(tanh_constant_);
  for (int64_t i = 0; i < rows * choices_; ++i) {
    const float v = z[i] * inv_t;
    u[i] = c > 0 ? c * std::tanh(v) : v;
  }
}

double DecisionHead::log_softmax(const float* u, double* log_p) const {
  double mx = u[0];
  for (int64_t j = 1; j < choices_; ++j) mx = std::max(mx, static_cast<double>(u[j]));
  double sum = 0;
  for (int64_t j = 0; j < choices_; ++j) sum += std::exp(u[j] - mx);
  const double log_sum = std::log(sum);
  double entropy = 0;
  for (int64_t j = 0; j < choices_; ++j) {
    log_p[j] = u[j] - mx - log_sum;
    entropy -= std::exp(log_p[j]) * log_p[j];
  }
  return entropy;
}

int DecisionHead::sample(const float* u, train::Rng& rng) const {
  std::vector<double> log_p(choices_);
  log_softmax(u, log_p.data());
  const double x = static_cast<double>(rng.next_u64() >> 11) * 0x1.0p-53;  // [0, 1)
  double cdf = 0;
  for (int64_t j = 0; j < choices_; ++j) {
    cdf += std::exp(log_p[j]);
    if (x < cdf) return static_cast<int>(j);
  }
  // x fell past the rounded total: the last choice with any mass.
  for (int64_t j = choices_ - 1; j > 0; --j)
    if (std::exp(log_p[j]) > 0) return static_cast<int>(j);
  return 0;
}

DecisionHead::BatchOps& DecisionHead::batch_ops(int64_t batch) {
  auto it = by_batch_.find(batch);
  if (it != by_batch_.end()) return it->second;
  BatchOps b;
  const ops::Shape logits{batch, choices_}, labels{batch};
  const ops::Shape shapes[] = {logits, labels};
  auto op = ops::create_softmax_cross_entropy(ops::OpAttrs{}, shapes);
  NAS_CHECK(op.is_ok());  // shapes built here are always valid
  b.cross_entropy = std::move(op.value());
  b.u = ops::Tensor::empty(logits);
  b.labels = ops::Tensor::empty(labels);
  b.loss = ops::Tensor::empty(ops::Shape{1});
  b.dloss = ops::Tensor::empty(ops::Shape{1});
  b.dloss.fill(1.0f);
  b.du = ops::Tensor::empty(logits);
  return by_batch_.emplace(batch, std::move(b)).first->second;
}

HeadTerms DecisionHead::loss_only(const ops::Tensor& z, std::span<const int> labels,
                                  std::span<const double> advantages) {
  const int64_t batch = z.dim(0);
  std::vector<float> u(batch * choices_);
  transform(z.data(), batch, u.data());
  std::vector<double> log_p(choices_);
  HeadTerms t;
  for (int64_t r = 0; r < batch; ++r) {
    const double h = log_softmax(u.data() + r * choices_, log_p.data());
    const double lp = log_p[labels[r]];
    t.policy_loss -= advantages[r] * lp;
    t.log_prob += lp;
    t.entropy += h;
  }
  return t;
}

HeadTerms DecisionHead::loss(const ops::Tensor& z, std::span<const int> labels,
                             std::span<const double> advantages, double entropy_weight,
                             double scale, const ops::Tensor& dz) {
  const int64_t batch = z.dim(0);
  BatchOps& b = batch_ops(batch);
  transform(z.data(), batch, b.u.data());
  for (int64_t r = 0; r < batch; ++r) {
    NAS_CHECK(labels[r] >= 0 && labels[r] < choices_);
    b.labels.data()[r] = static_cast<float>(labels[r]);
  }
  // The loss op gives d(mean_r -log p_r(label_r))/du = (p - onehot) / B.
  const ops::OpContext ctx;
  const ops::Tensor in[] = {b.u, b.labels};
  ops::Tensor out[] = {b.loss};
  b.cross_entropy->forward(ctx, in, {}, out);
  const ops::Tensor dout[] = {b.dloss};
  ops::Tensor din[] = {b.du, ops::Tensor()};
  b.cross_entropy->backward(ctx, in, {}, out, dout, din, {});

  const float inv_t = static_cast<float>(1.0 / temperature_);
  const float c = static_cast<float>(tanh_constant_);
  std::vector<double> log_p(choices_);
  HeadTerms t;
  for (int64_t r = 0; r < batch; ++r) {
    const float* u = b.u.data() + r * choices_;
    const double h = log_softmax(u, log_p.data());
    const double lp = log_p[labels[r]];
    t.policy_loss -= advantages[r] * lp;
    t.log_prob += lp;
    t.entropy += h;
    const float* du_ce = b.du.data() + r * choices_;
    const float* zr = z.data() + r * choices_;
    float* dzr = dz.data() + r * choices_;
    for (int64_t j = 0; j < choices_; ++j) {
      // dH/du_j = -p_j (log p_j + H); the loss carries -entropy_weight * H.
      const double p = std::exp(log_p[j]);
      const double du = advantages[r] * static_cast<double>(batch) * du_ce[j] +
                        entropy_weight * p * (log_p[j] + h);
      double chain = inv_t;
      if (c > 0) {
        const double th = std::tanh(zr[j] * inv_t);
        chain = c * (1.0 - th * th) * inv_t;
      }
      dzr[j] = static_cast<float>(scale * du * chain);
    }
  }
  return t;
}

}  // namespace nas::search::reinforce
