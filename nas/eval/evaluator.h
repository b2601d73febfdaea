// Evaluator: turns one candidate into accuracy (and loss, training time) by
// really training / evaluating it, or by looking it up. The engine calls it
// for several candidates at once; a failure is a result, never an exception.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "nas/config/architecture.h"
#include "nas/config/experiment.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::eval {

struct EvalRequest {
  int64_t candidate_id = 0;
  const space::Genotype* genotype = nullptr;
  const std::string* canonical = nullptr;            // the space's canonical string
  const config::Architecture* architecture = nullptr;  // decoded; never null
  uint64_t seed = 0;  // derived by the engine from the run seed and the genotype
};

struct EvalResult {
  bool ok = true;
  std::string error;  // why it failed (NaN loss, over the memory budget, not in the table)
  // Metric name -> value: at least "accuracy" (in [0, 1]) when ok; "loss",
  // "train_time_s" where the evaluator has them; a tabular evaluator may add
  // further columns of its table.
  std::map<std::string, double> metrics;
};

class Evaluator {
 public:
  Evaluator() = default;
  virtual ~Evaluator() = default;
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Evaluates one candidate. Thread-safe: the engine calls it concurrently
  // for different candidates. Deterministic given the request.
  virtual EvalResult evaluate(const EvalRequest& request) = 0;
  // How many candidates it is worth evaluating at once (1 for an evaluator
  // whose kernels already use every thread; more for a look-up).
  virtual int preferred_parallelism() const { return 1; }
};

struct EvaluatorContext {
  const config::Experiment* experiment = nullptr;  // never null
  const space::Space* space = nullptr;             // never null
  bool show_progress = true;
};

// Creates the evaluator the experiment names (loads its dataset or table).
// Errors read like the user's input errors ("file:line:col: error: ...").
Result<std::unique_ptr<Evaluator>> make_evaluator(const EvaluatorContext& context);

}  // namespace nas::eval
