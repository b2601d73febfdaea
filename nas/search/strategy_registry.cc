// The strategy registry: one line per built strategy, dispatching on the
// config alternative the YAML reader produced (never on a name string).
#include <string>
#include <variant>

#include "nas/search/strategies/evolution/evolution_strategy.h"
#include "nas/search/strategies/nsga2/nsga2_strategy.h"
#include "nas/search/strategies/random/random_strategy.h"
#include "nas/search/strategies/reinforce/reinforce_strategy.h"
#include "nas/search/strategy.h"

namespace nas::search {

Result<std::unique_ptr<Strategy>> make_strategy(const config::StrategyConfig& config,
                                                const StrategyContext& context) {
  NAS_CHECK(context.space != nullptr);
  NAS_CHECK(context.num_objectives >= 1);
  using namespace config;
  if (auto* c = std::get_if<RandomConfig>(&config)) return make_random_strategy(*c, context);
  if (auto* c = std::get_if<EvolutionConfig>(&config)) return make_evolution_strategy(*c, context);
  if (auto* c = std::get_if<Nsga2Config>(&config)) return make_nsga2_strategy(*c, context);
  if (auto* c = std::get_if<ReinforceConfig>(&config)) return make_reinforce_strategy(*c, context);
  // A strategy whose name the config reader knows but whose folder is not
  // built yet (strategy_catalog() marks it built = false).
  return Status::error("strategy '" + strategy_name(config) + "' is not built yet");
}

}  // namespace nas::search
