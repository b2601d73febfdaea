// The lighter policy: one independent categorical per decision, its scores a
// free parameter vector "logits<t>" [C_t] passed through the same
// DecisionHead transform (temperature, tanh clipping) as the LSTM
// controller's. Starts uniform (all scores zero), so only the sampling draws
// depend on the seed. The gradient of a batch is the column sum, in row
// order, of the head's per-row gradients.
#pragma once

#include <memory>

#include "nas/search/strategies/reinforce/policy.h"

namespace nas::search::reinforce {

// REQUIRES: temperature > 0, tanh_constant >= 0, a space with >= 1 decision.
std::unique_ptr<Policy> make_independent_policy(const std::vector<space::Decision>& decisions,
                                                double temperature, double tanh_constant);

}  // namespace nas::search::reinforce
