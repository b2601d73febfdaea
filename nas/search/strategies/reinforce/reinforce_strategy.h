// ReinforceStrategy ("reinforce"): REINFORCE (Williams 1992) on a policy over
// the space's decisions, as in NASNet / ENAS: sample architectures, observe
// their reward, push up the log-probability of those that beat a baseline.
//
//   reward r       = Observation::scalar (the engine's scalarisation, to
//                    maximise; failed / infeasible candidates carry its penalty)
//   advantage      = r - b, b the baseline before this group
//   loss           = (1/B) sum_r [-advantage_r log p(g_r) - entropy_weight H_r]
//   Adam step      on the policy's parameters, lr = learning_rate
//   baseline       b <- baseline_decay b + (1 - baseline_decay) mean_r(r)
//                  (the first group sets b to its mean reward)
//
// ask(n) draws n genotypes from the current policy; sample k of the run uses
// its own random stream mix_seed(mix_seed(seed, 2), k), so the draws do not
// depend on how asks are batched (k counts the samples asked, or told when a
// replay tells without asking). tell() buffers results in order and takes
// one update per `samples_per_update` results (B = samples_per_update).
// Everything is a deterministic function of the seed and the sequence of
// asks and tells, at any thread count: `nas search --resume` restores the
// controller by re-creating the strategy and replaying the journal's
// ask/tell sequence (docs/reinforce.md).
//
// A non-finite reward (NaN, +-inf: a failure when the scalarisation has no
// finite penalty) is replaced, when its group is used, by the lowest finite
// reward told so far, that group included (0 when there is none, and then
// the whole group is 0), so one bad number cannot poison the policy.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nas/search/strategies/reinforce/policy.h"
#include "nas/search/strategy.h"
#include "nas/train/optim/optimizer.h"

namespace nas::search {

// One policy-gradient step, for tests, logs and docs.
struct ReinforceUpdate {
  double mean_reward = 0;  // over the group
  double baseline = 0;     // the baseline the advantages were taken against
  double loss = 0;         // before the step (reinforce::LossStats)
  double entropy = 0;      // mean path entropy of the group, before the step
  double log_prob = 0;     // mean log p(g) of the group, before the step
};

class ReinforceStrategy final : public Strategy {
 public:
  // REQUIRES: a config within the documented ranges, a space with >= 1
  // decision (make_reinforce_strategy checks both).
  ReinforceStrategy(const config::ReinforceConfig& config, const StrategyContext& context);
  ~ReinforceStrategy() override;

  std::vector<space::Genotype> ask(int n) override;
  void tell(std::span<const Observation> results) override;

  const std::vector<ReinforceUpdate>& updates() const { return updates_; }
  reinforce::Policy& policy() { return *policy_; }

 private:
  void update();

  config::ReinforceConfig config_;
  const space::Space* space_;
  uint64_t sample_seed_;
  int64_t samples_drawn_ = 0;  // samples asked so far (or told, if more)
  int64_t told_ = 0;
  std::unique_ptr<reinforce::Policy> policy_;
  std::unique_ptr<train::Optimizer> optimizer_;
  std::vector<space::Genotype> pending_genotypes_;
  std::vector<double> pending_rewards_;
  bool has_baseline_ = false;
  double baseline_ = 0;
  bool has_finite_reward_ = false;
  double worst_reward_ = 0;
  std::vector<ReinforceUpdate> updates_;
};

// The factory the strategy registry calls. Errors name the setting that is
// out of range, or say the space has no decision.
Result<std::unique_ptr<Strategy>> make_reinforce_strategy(const config::ReinforceConfig& config,
                                                          const StrategyContext& context);

}  // namespace nas::search
