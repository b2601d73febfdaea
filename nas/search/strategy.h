// Strategy: a black-box search strategy proposes candidates (ask) and
// observes their results (tell); the Engine owns the loop, budget,
// parallelism, journal and outputs. A strategy never sees the evaluator's or
// the cost model's insides, only the numbers below.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nas/config/strategy_config.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::search {

// What a strategy learns about one candidate.
struct Observation {
  int64_t id = 0;            // the engine's candidate id (order of asking)
  space::Genotype genotype;  // as asked
  bool ok = true;            // false: the evaluation failed (objectives then +inf)
  // One value per experiment objective, in the experiment's order, all to be
  // MINIMISED (the engine negates maximised metrics such as accuracy).
  std::vector<double> objectives;
  // 0 when every constraint holds; otherwise the sum over violated
  // constraints of |excess| / |bound| (Deb's constrained domination).
  double violation = 0;
  // The experiment's scalarisation, to MAXIMISE (single-objective strategies
  // and REINFORCE's reward read it): the objective alone for one objective,
  // MnasNet's ACC x (LAT/T)^w when configured; the configured penalty for
  // failed or (hard form) infeasible candidates.
  double scalar = 0;
  bool feasible() const { return ok && violation == 0; }
};

class Strategy {
 public:
  Strategy() = default;
  virtual ~Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // Proposes exactly n >= 1 genotypes (valid for the space). A proposal may
  // repeat an evaluated genotype; the engine then tells the earlier result
  // again without re-evaluating it.
  virtual std::vector<space::Genotype> ask(int n) = 0;
  // The results of the last ask, in the same order. Deterministic: the same
  // sequence of tells after the same seed gives the same later asks, which
  // is how `--resume` rebuilds a strategy's state from the journal.
  virtual void tell(std::span<const Observation> results) = 0;
};

struct StrategyContext {
  const space::Space* space = nullptr;  // never null; outlives the strategy
  uint64_t seed = 0;
  int num_objectives = 1;
};

// Creates the strategy a config names. Errors name the setting.
Result<std::unique_ptr<Strategy>> make_strategy(const config::StrategyConfig& config,
                                                const StrategyContext& context);

}  // namespace nas::search
