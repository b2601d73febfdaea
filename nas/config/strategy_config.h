// Typed settings of each search strategy, as written under `strategy:` in an
// experiment. Defaults sit next to each field; the ranges are the ones the
// loader enforces (docs/experiment.md lists them for users).
#pragma once

#include <string>
#include <variant>

namespace nas::config {

// random: uniform samples of the space; no settings.
struct RandomConfig {};

// evolution: regularized (aging) evolution, Real et al. 2019.
struct EvolutionConfig {
  int population = 64;  // >= 2: individuals kept alive (the oldest dies each step)
  int sample = 16;      // 1..population: tournament size a parent is picked from
  int mutations = 1;    // >= 1: decisions changed per child
};

// nsga2: NSGA-II, Deb et al. 2002, with constrained domination.
struct Nsga2Config {
  int population = 50;          // >= 4
  double crossover_prob = 0.9;  // 0..1: probability a child comes from crossover
  double mutation_prob = 0.1;   // 0..1: probability each decision changes to a different choice
};

enum class ControllerKind { kLstm, kIndependent };

// reinforce: a policy over the decisions trained with REINFORCE (ENAS-style
// LSTM controller, or one independent categorical per decision).
struct ReinforceConfig {
  int samples_per_update = 8;      // >= 1: architectures per policy-gradient step
  double learning_rate = 0.005;    // > 0: Adam step size of the controller
  double baseline_decay = 0.95;    // 0..1: moving-average reward baseline
  double entropy_weight = 0.0001;  // >= 0: entropy bonus against early collapse
  double temperature = 5.0;        // > 0: logits divided by this before softmax
  double tanh_constant = 2.5;      // >= 0: logits = c * tanh(logits); 0 disables
  ControllerKind controller = ControllerKind::kLstm;
  int hidden = 64;  // >= 1: LSTM hidden and choice-embedding size (unused when independent)
};

using StrategyConfig = std::variant<RandomConfig, EvolutionConfig, Nsga2Config, ReinforceConfig>;

// The YAML name of the strategy a config belongs to ("evolution", ...).
std::string strategy_name(const StrategyConfig& config);

}  // namespace nas::config
