#include "nas/search/strategies/reinforce/reinforce_strategy.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "nas/train/optim/adam.h"
#include "nas/train/rng.h"
#include "ops/core/status.h"

namespace nas::search {
namespace {

// Random streams derived from the run's seed.
constexpr uint64_t kInitStream = 1;
constexpr uint64_t kSampleStream = 2;

// Adam's usual constants (ENAS uses them too); only the step size is a setting.
constexpr float kBeta1 = 0.9f;
constexpr float kBeta2 = 0.999f;
constexpr float kEps = 1e-8f;

Status check(bool ok, const char* setting, const std::string& expected, double got) {
  if (ok) return Status::ok();
  return Status::error("failed to create strategy reinforce with " + std::string(setting) + " = " +
                       std::to_string(got) + ": expected " + expected);
}

}  // namespace

ReinforceStrategy::ReinforceStrategy(const config::ReinforceConfig& config,
                                     const StrategyContext& context)
    : config_(config),
      space_(context.space),
      sample_seed_(train::mix_seed(context.seed, kSampleStream)),
      policy_(reinforce::make_policy(config, *context.space,
                                     train::mix_seed(context.seed, kInitStream))),
      optimizer_(std::make_unique<train::AdamOptimizer>(policy_->params(), kBeta1, kBeta2, kEps,
                                                        0.0f, false)) {}

ReinforceStrategy::~ReinforceStrategy() = default;

std::vector<space::Genotype> ReinforceStrategy::ask(int n) {
  NAS_CHECK(n >= 1);
  std::vector<space::Genotype> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    train::Rng rng(train::mix_seed(sample_seed_, static_cast<uint64_t>(samples_drawn_++)));
    out.push_back(policy_->sample(rng));
  }
  return out;
}

void ReinforceStrategy::tell(std::span<const Observation> results) {
  for (const Observation& o : results) {
    NAS_CHECK(space_->valid(o.genotype));
    pending_genotypes_.push_back(o.genotype);
    pending_rewards_.push_back(o.scalar);
    if (static_cast<int>(pending_rewards_.size()) == config_.samples_per_update) update();
  }
  // A replay that only tells (no asks) still moves the sample streams on, so
  // the next ask draws what the uninterrupted run would have drawn.
  told_ += static_cast<int64_t>(results.size());
  samples_drawn_ = std::max(samples_drawn_, told_);
}

void ReinforceStrategy::update() {
  const size_t B = pending_rewards_.size();
  // Non-finite rewards (a failure without a finite penalty) become the worst
  // finite reward told so far, this group included: never better than a
  // real result, and nothing infinite reaches the weights.
  for (double r : pending_rewards_) {
    if (!std::isfinite(r)) continue;
    worst_reward_ = has_finite_reward_ ? std::min(worst_reward_, r) : r;
    has_finite_reward_ = true;
  }
  for (double& r : pending_rewards_)
    if (!std::isfinite(r)) r = has_finite_reward_ ? worst_reward_ : 0.0;
  double mean = 0;
  for (double r : pending_rewards_) mean += r;
  mean /= static_cast<double>(B);
  if (!has_baseline_) {
    baseline_ = mean;
    has_baseline_ = true;
  }
  std::vector<double> advantages(B);
  for (size_t i = 0; i < B; ++i) advantages[i] = pending_rewards_[i] - baseline_;
  const reinforce::LossStats s =
      policy_->loss(pending_genotypes_, advantages, config_.entropy_weight, true);
  optimizer_->step(static_cast<float>(config_.learning_rate));
  updates_.push_back({mean, baseline_, s.loss, s.entropy, s.log_prob});
  baseline_ = config_.baseline_decay * baseline_ + (1.0 - config_.baseline_decay) * mean;
  pending_genotypes_.clear();
  pending_rewards_.clear();
}

Result<std::unique_ptr<Strategy>> make_reinforce_strategy(const config::ReinforceConfig& c,
                                                          const StrategyContext& context) {
  NAS_CHECK(context.space != nullptr);
  for (Status s :
       {check(c.samples_per_update >= 1, "samples_per_update", ">= 1", c.samples_per_update),
        check(c.learning_rate > 0, "learning_rate", "> 0", c.learning_rate),
        check(c.baseline_decay >= 0 && c.baseline_decay <= 1, "baseline_decay", "0..1",
              c.baseline_decay),
        check(c.entropy_weight >= 0, "entropy_weight", ">= 0", c.entropy_weight),
        check(c.temperature > 0, "temperature", "> 0", c.temperature),
        check(c.tanh_constant >= 0, "tanh_constant", ">= 0", c.tanh_constant),
        check(c.hidden >= 1, "hidden", ">= 1", c.hidden)}) {
    if (!s) return s;
  }
  if (context.space->decisions().empty())
    return Status::error("failed to create strategy reinforce for space " + context.space->name() +
                         ": the space has no decision");
  for (const auto& d : context.space->decisions())
    if (d.choices.empty())
      return Status::error("failed to create strategy reinforce for space " +
                           context.space->name() + ": decision " + d.name + " has no choice");
  return std::unique_ptr<Strategy>(std::make_unique<ReinforceStrategy>(c, context));
}

}  // namespace nas::search
