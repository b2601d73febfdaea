// DecisionHead: what every REINFORCE policy does between one decision's raw
// scores z and its loss. ENAS's logit transform
//   u = z / temperature, then u = tanh_constant * tanh(u) when tanh_constant > 0,
// the softmax over u, sampling a choice, and the per-decision part of the
// REINFORCE loss of a batch,
//   sum over rows r of  -advantage_r * log p_r(label_r) - entropy_weight * H(p_r),
// whose gradient with respect to u comes from the project's
// softmax_cross_entropy op (d(-log p(label))/du = p - onehot) plus the entropy
// term, and is then chained through the transform back to z.
//
// Not thread-safe (it caches one loss op per batch size).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "nas/search/strategies/reinforce/policy.h"
#include "nas/train/rng.h"
#include "ops/core/op.h"

namespace nas::search::reinforce {

// What one decision contributes for a batch, summed over its rows.
struct HeadTerms {
  double policy_loss = 0;  // sum_r -advantage_r * log p_r(label_r)
  double log_prob = 0;     // sum_r log p_r(label_r)
  double entropy = 0;      // sum_r H(p_r), natural log

  HeadTerms& operator+=(const HeadTerms& o) {
    policy_loss += o.policy_loss;
    log_prob += o.log_prob;
    entropy += o.entropy;
    return *this;
  }
  // The per-batch averages a policy reports (LossStats) from the terms
  // summed over every decision, with scale = 1 / batch.
  LossStats averaged(double entropy_weight, double scale) const {
    return {(policy_loss - entropy_weight * entropy) * scale, log_prob * scale, entropy * scale};
  }
};

class DecisionHead {
 public:
  // REQUIRES: choices >= 1, temperature > 0, tanh_constant >= 0.
  DecisionHead(int64_t choices, double temperature, double tanh_constant);
  DecisionHead(const DecisionHead&) = delete;
  DecisionHead& operator=(const DecisionHead&) = delete;
  DecisionHead(DecisionHead&&) = default;

  int64_t choices() const { return choices_; }

  // u[rows x choices] = transform(z[rows x choices]). REQUIRES: u does not alias z.
  void transform(const float* z, int64_t rows, float* u) const;

  // Draws a choice from softmax(u) of one row (u already transformed): one
  // uniform double from rng, inverse CDF in choice order, so the draw is the
  // same on every platform.
  int sample(const float* u, train::Rng& rng) const;

  // The loss terms of `labels` under softmax(transform(z)) for z [B x choices],
  // and dz [B x choices] = d/dz of (sum_r -adv_r log p_r(label_r) - entropy_weight
  // * H(p_r)) * scale. Rows are reduced in order (deterministic).
  // REQUIRES: z, dz preallocated [B, choices]; labels/advantages of size B and
  // each label in [0, choices).
  HeadTerms loss(const ops::Tensor& z, std::span<const int> labels,
                 std::span<const double> advantages, double entropy_weight, double scale,
                 const ops::Tensor& dz);
  // The same terms without the gradient.
  HeadTerms loss_only(const ops::Tensor& z, std::span<const int> labels,
                      std::span<const double> advantages);

 private:
  struct BatchOps {
    std::unique_ptr<ops::Op> cross_entropy;  // softmax_cross_entropy over [B, choices]
    ops::Tensor u, labels, loss, dloss, du;
  };
  BatchOps& batch_ops(int64_t batch);
  // Row r's log-probabilities (double) of u, and the row's entropy.
  double log_softmax(const float* u, double* log_p) const;

  int64_t choices_;
  double temperature_, tanh_constant_;
  std::map<int64_t, BatchOps> by_batch_;
};

}  // namespace nas::search::reinforce
