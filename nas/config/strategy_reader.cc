// The `strategy:` section: one schema per strategy, kept as a table so a new
// strategy adds one row (and its config struct in strategy_config.h).
#include <string>
#include <vector>

#include "nas/config/section_readers.h"

namespace nas::config {
namespace {

struct StrategySchema {
  const char* name;
  std::vector<std::string> keys;  // besides "name"
  StrategyConfig (*read)(MapReader& r);
};

StrategyConfig read_random(MapReader&) { return RandomConfig{}; }

StrategyConfig read_evolution(MapReader& r) {
  EvolutionConfig c;
  const bool population_ok = r.read("population", c.population, IntBounds::at_least(2));
  // The default tournament never exceeds a small population.
  c.sample = std::min(c.sample, c.population);
  if (population_ok) {
    r.read("sample", c.sample, IntBounds::between(1, c.population, "population"));
  } else {
    r.read("sample", c.sample, IntBounds::at_least(1));
  }
  r.read("mutations", c.mutations, IntBounds::at_least(1));
  return c;
}

StrategyConfig read_nsga2(MapReader& r) {
  Nsga2Config c;
  r.read("population", c.population, IntBounds::at_least(4));
  r.read("crossover_prob", c.crossover_prob, NumberBounds::between(0.0, 1.0));
  r.read("mutation_prob", c.mutation_prob, NumberBounds::between(0.0, 1.0));
  return c;
}

StrategyConfig read_reinforce(MapReader& r) {
  ReinforceConfig c;
  r.read("samples_per_update", c.samples_per_update, IntBounds::at_least(1));
  r.read("learning_rate", c.learning_rate, NumberBounds::above(0.0));
  r.read("baseline_decay", c.baseline_decay, NumberBounds::between(0.0, 1.0));
  r.read("entropy_weight", c.entropy_weight, NumberBounds::at_least(0.0));
  r.read("temperature", c.temperature, NumberBounds::above(0.0));
  r.read("tanh_constant", c.tanh_constant, NumberBounds::at_least(0.0));
  if (const auto k = r.choice("controller", Need::kOptional, {"lstm", "independent"})) {
    c.controller = k->value == 0 ? ControllerKind::kLstm : ControllerKind::kIndependent;
  }
  r.read("hidden", c.hidden, IntBounds::at_least(1));
  return c;
}

// Order matches the StrategyConfig alternatives (strategy_name() relies on it).
const std::vector<StrategySchema>& schemas() {
  static const std::vector<StrategySchema> kSchemas = {
      {"random", {}, read_random},
      {"evolution", {"population", "sample", "mutations"}, read_evolution},
      {"nsga2", {"population", "crossover_prob", "mutation_prob"}, read_nsga2},
      {"reinforce",
       {"samples_per_update", "learning_rate", "baseline_decay", "entropy_weight", "temperature",
        "tanh_constant", "controller", "hidden"},
       read_reinforce},
  };
  return kSchemas;
}

}  // namespace

std::string strategy_name(const StrategyConfig& config) { return schemas()[config.index()].name; }

std::optional<StrategySpec> read_strategy(MapReader& top, const Catalog& catalog) {
  const auto node = top.map("strategy", Need::kRequired);
  if (!node) return std::nullopt;
  YamlSource& src = top.source();
  const Location where = top.key_location("strategy");
  const size_t errors_before = src.diagnostics().size();

  std::vector<std::string> schema_names;
  for (const auto& s : schemas()) schema_names.push_back(s.name);
  const auto index = read_section_name(src, *node, "strategy", "strategies", where,
                                       catalog.strategies, schema_names);
  if (!index) return std::nullopt;
  const auto* schema = &schemas()[*index];
  std::vector<std::string> keys = {"name"};
  keys.insert(keys.end(), schema->keys.begin(), schema->keys.end());
  MapReader r(src, *node, "strategy", "strategy", where, keys);
  StrategySpec spec{schema->read(r), where};
  if (src.diagnostics().size() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace nas::config
