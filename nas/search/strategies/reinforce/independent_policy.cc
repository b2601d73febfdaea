#include "nas/search/strategies/reinforce/independent_policy.h"

#include <algorithm>
#include <map>
#include <string>

#include "nas/search/strategies/reinforce/decision_head.h"
#include "ops/core/status.h"

namespace nas::search::reinforce {
namespace {

using ops::Shape;
using ops::Tensor;

class IndependentPolicy final : public Policy {
 public:
  IndependentPolicy(const std::vector<space::Decision>& decisions, double temperature,
                    double tanh_constant) {
    NAS_CHECK(!decisions.empty());
    for (size_t t = 0; t < decisions.size(); ++t) {
      const int64_t C = static_cast<int64_t>(decisions[t].choices.size());
      NAS_CHECK(C >= 1);
      heads_.emplace_back(C, temperature, tanh_constant);
      group_.params.push_back(
          {"logits" + std::to_string(t), Tensor::zeros(Shape{C}), Tensor::zeros(Shape{C}), true});
    }
  }

  space::Genotype sample(train::Rng& rng) override {
    space::Genotype g(heads_.size());
    std::vector<float> u;
    for (size_t t = 0; t < heads_.size(); ++t) {
      u.resize(heads_[t].choices());
      heads_[t].transform(group_.params[t].value.data(), 1, u.data());
      g[t] = heads_[t].sample(u.data(), rng);
    }
    return g;
  }

  LossStats loss(std::span<const space::Genotype> genotypes, std::span<const double> advantages,
                 double entropy_weight, bool gradients) override {
    NAS_CHECK(!genotypes.empty() && advantages.size() == genotypes.size());
    const int64_t B = static_cast<int64_t>(genotypes.size());
    const double scale = 1.0 / static_cast<double>(B);
    HeadTerms sum;
    std::vector<int> labels(B);
    for (size_t t = 0; t < heads_.size(); ++t) {
      const int64_t C = heads_[t].choices();
      Batch& b = batch(t, B);
      const float* logits = group_.params[t].value.data();
      for (int64_t r = 0; r < B; ++r) {
        NAS_CHECK(genotypes[r].size() == heads_.size());
        labels[r] = genotypes[r][t];
        std::copy(logits, logits + C, b.z.data() + r * C);
      }
      const HeadTerms h = gradients
                              ? heads_[t].loss(b.z, labels, advantages, entropy_weight, scale, b.dz)
                              : heads_[t].loss_only(b.z, labels, advantages);
      sum += h;
      if (gradients) {
        // Every row read the same vector: its gradient is the sum over rows, in order.
        float* g = group_.params[t].grad.data();
        std::fill(g, g + C, 0.0f);
        for (int64_t r = 0; r < B; ++r)
          for (int64_t j = 0; j < C; ++j) g[j] += b.dz.data()[r * C + j];
      }
    }
    return sum.averaged(entropy_weight, scale);
  }

  const train::ParamGroup& params() const override { return group_; }

 private:
  struct Batch {
    Tensor z, dz;  // [B, C_t]: the logits repeated per row, and their gradient
  };
  Batch& batch(size_t t, int64_t B) {
    auto key = std::make_pair(t, B);
    auto it = batches_.find(key);
    if (it != batches_.end()) return it->second;
    const Shape s{B, heads_[t].choices()};
    return batches_.emplace(key, Batch{Tensor::empty(s), Tensor::empty(s)}).first->second;
  }

  std::vector<DecisionHead> heads_;
  train::ParamGroup group_{"controller", {}};
  std::map<std::pair<size_t, int64_t>, Batch> batches_;
};

}  // namespace

std::unique_ptr<Policy> make_independent_policy(const std::vector<space::Decision>& decisions,
                                                double temperature, double tanh_constant) {
  return std::make_unique<IndependentPolicy>(decisions, temperature, tanh_constant);
}

}  // namespace nas::search::reinforce
