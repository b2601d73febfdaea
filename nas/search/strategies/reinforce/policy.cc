#include "nas/search/strategies/reinforce/policy.h"

#include "nas/search/strategies/reinforce/independent_policy.h"
#include "nas/search/strategies/reinforce/lstm_policy.h"

namespace nas::search::reinforce {

std::unique_ptr<Policy> make_policy(const config::ReinforceConfig& config,
                                    const space::Space& space, uint64_t init_seed) {
  switch (config.controller) {
    case config::ControllerKind::kLstm:
      return make_lstm_policy(space.decisions(), config.hidden, config.temperature,
                              config.tanh_constant, init_seed);
    case config::ControllerKind::kIndependent:
      return make_independent_policy(space.decisions(), config.temperature, config.tanh_constant);
  }
  return nullptr;
}

}  // namespace nas::search::reinforce
