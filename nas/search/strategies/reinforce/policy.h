// Policy: a distribution over a space's genotypes that REINFORCE trains.
// Two kinds (config::ControllerKind): an autoregressive LSTM controller
// (NASNet / ENAS) and one independent categorical per decision.
//
// Determinism: given the same construction arguments, the same calls give the
// same bits on any thread count (the ops used split work with fixed
// partitions and every reduction here runs in a fixed order).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nas/config/strategy_config.h"
#include "nas/space/space.h"
#include "nas/train/optim/param_group.h"
#include "nas/train/rng.h"

namespace nas::search::reinforce {

// Per-batch averages of what loss() computed.
struct LossStats {
  double loss = 0;      // (1/B) sum_r [-adv_r log p(g_r) - entropy_weight * H_r]
  double log_prob = 0;  // (1/B) sum_r log p(g_r)
  double entropy = 0;   // (1/B) sum_r H_r, H_r = sum over decisions of the
                        // entropy of that decision's distribution on g_r's path
};

class Policy {
 public:
  Policy() = default;
  virtual ~Policy() = default;
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  // Draws one genotype, decision by decision, with uniforms from rng only.
  virtual space::Genotype sample(train::Rng& rng) = 0;

  // The REINFORCE loss of a batch of genotypes with their advantages (see
  // LossStats::loss). When `gradients`, OVERWRITES every parameter's grad in
  // params() with d loss / d parameter. REQUIRES: genotypes non-empty, valid
  // for the space; advantages.size() == genotypes.size().
  virtual LossStats loss(std::span<const space::Genotype> genotypes,
                         std::span<const double> advantages, double entropy_weight,
                         bool gradients) = 0;

  // The learnable tensors (views of storage the policy owns), in a fixed order.
  virtual const train::ParamGroup& params() const = 0;
};

// The ENAS default: every controller weight starts uniform in [-0.1, 0.1].
inline constexpr float kInitRange = 0.1f;

// The policy `config.controller` names over `space`'s decisions; weights
// drawn from init_seed. REQUIRES: the space has at least one decision.
std::unique_ptr<Policy> make_policy(const config::ReinforceConfig& config,
                                    const space::Space& space, uint64_t init_seed);

}  // namespace nas::search::reinforce
