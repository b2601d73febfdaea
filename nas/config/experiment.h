// An experiment: the typed form of one experiment YAML (docs/experiment.md).
// Plain data, produced by load_experiment(); past it nothing reads YAML.
// Every value that a later layer may need to complain about keeps the
// Location it was written at. Paths are already resolved relative to the
// experiment's folder (lexically normalised, not made absolute).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nas/config/evaluator_config.h"
#include "nas/config/located.h"
#include "nas/config/strategy_config.h"

namespace nas::config {

struct DatasetSpec {
  Located<std::string> name;        // from Catalog::datasets
  std::optional<int> train_subset;  // > 0: first N training examples; all when unset
  std::optional<int> valid_subset;  // > 0: N validation examples carved from train by seed; 10000 when unset
  std::optional<Located<std::filesystem::path>> path;  // an existing folder; the default
                                                       // data folder when unset
  Location where;
};

// What `hardware: host` does about the machine's current speed (its "state")
// compared with when its latency table was calibrated (docs/profiling.md:
// 2-thread speed on shared VMs switches between states ~1.5x apart).
enum class MachineStateMode {
  kOff,      // no check: nothing is timed at start
  kCheck,    // time a few calibration networks at start, print the factor, warn when >10% off;
             // predictions stay the cached table's (deterministic for a given table)
  kRescale,  // as kCheck, and every host latency is multiplied by the measured factor
             // (results then depend on the machine state at start; the factor is recorded)
};

struct HardwareSpec {
  // "host" (the machine running the search, measured) or the profile's own
  // top-level `name:`. Unique within an experiment.
  std::string name;
  // The profile YAML (resolved; exists); empty for host.
  std::filesystem::path profile;
  bool is_host() const { return profile.empty(); }
  Location where;
  // Host only (`- host: {machine_state: rescale}`); kCheck when not written.
  MachineStateMode machine_state = MachineStateMode::kCheck;
  // Host only, with check or rescale: re-check the machine state during a
  // search, before the first evaluation that starts `recheck_interval_s`
  // seconds (`- host: {recheck_interval: 1m}`) or `recheck_candidates` new
  // candidates after the last check, whichever comes first. Neither set:
  // the check at start only.
  std::optional<int64_t> recheck_interval_s;  // >= 1
  std::optional<int64_t> recheck_candidates;  // >= 1
  bool rechecks() const { return recheck_interval_s.has_value() || recheck_candidates.has_value(); }
};

// "off", "check", "rescale": the YAML spelling, in enum order.
const std::vector<std::string>& machine_state_mode_names();
const char* machine_state_mode_name(MachineStateMode mode);

enum class Goal { kMaximize, kMinimize };

struct ObjectiveSpec {
  Located<std::string> metric;  // from Catalog::metrics
  Goal goal = Goal::kMaximize;
  // Set iff the metric is per-hardware; then it names one of Experiment::hardware.
  std::optional<Located<std::string>> hardware;
  Location where;
};

struct ConstraintSpec {
  Located<std::string> metric;
  std::optional<Located<std::string>> hardware;  // same rule as ObjectiveSpec::hardware
  std::optional<double> max;                     // at least one of max and min is set; min <= max
  std::optional<double> min;
  Location where;
};

struct StrategySpec {
  StrategyConfig config;  // the alternative names the strategy (strategy_name())
  Location where;
};

struct EvaluatorSpec {
  EvaluatorConfig config;  // the alternative names the evaluator (evaluator_name())
  Location where;
};

struct BudgetSpec {
  std::optional<int64_t> candidates;   // >= 1: candidates to evaluate
  std::optional<int64_t> wall_time_s;  // >= 1: seconds of search
  // At least one of the two is set; the search stops at whichever comes first.
  // >= 1: candidates asked of the strategy at once and evaluated together
  // (up to the evaluator's preferred parallelism at a time). Part of the
  // algorithm, not of the machine: the same batch gives the same history on
  // any thread count. Default 8.
  int batch = 8;
  Location where;
};

enum class ScalarizationKind {
  kFirstObjective,  // the first objective, in maximise sense (its value, or minus it)
  kMnas,            // MnasNet: accuracy x (metric / target)^exponent
  kWeighted,        // sum over objectives of weight x objective (maximise sense)
};

enum class MnasForm {
  kSoft,  // exponent w everywhere (MnasNet's alpha = beta = w)
  kHard,  // exponent 0 at or under the target, w over it (alpha = 0, beta = w)
};

// The one number per candidate that single-objective strategies rank by and
// REINFORCE takes as its reward (to maximise). Absent section: kFirstObjective.
struct ScalarizationSpec {
  ScalarizationKind kind = ScalarizationKind::kFirstObjective;
  // kMnas: the cost metric (per-hardware ones name their hardware), the
  // target T > 0 and the exponent w (default -0.07, MnasNet's soft value).
  Located<std::string> metric;
  std::optional<Located<std::string>> hardware;
  double target = 0;
  double w = -0.07;
  MnasForm form = MnasForm::kSoft;
  // kWeighted: one weight per objective, in the objectives' order; applied
  // to each objective in maximise sense (minimised metrics are negated).
  std::vector<double> weights;
  // The scalar of a failed candidate or one that violates a constraint.
  // Unset: 0 for kMnas (the least reward a feasible candidate can get),
  // -infinity otherwise (below every feasible candidate).
  std::optional<double> infeasible_penalty;
  Location where;  // line 0 when the section is absent
};

struct Experiment {
  std::string source;                    // the experiment file as given by the caller
  std::filesystem::path folder;          // its folder; relative paths in it start here
  Located<std::string> name;             // [A-Za-z0-9_.-]+, not "." or ".."
  Located<int64_t> seed;                 // >= 0; default 0
  Located<std::filesystem::path> space;  // op-space YAML; exists
  DatasetSpec dataset;
  std::vector<HardwareSpec> hardware;     // may be empty; names unique
  std::vector<ObjectiveSpec> objectives;  // at least one; no two alike
  std::vector<ConstraintSpec> constraints;
  StrategySpec strategy;
  EvaluatorSpec evaluator;
  BudgetSpec budget;
  ScalarizationSpec scalarization;
  // The run folder when the user set one (resolved); empty: the caller uses runs/<name>.
  Located<std::filesystem::path> output;

  // nullptr when no hardware entry has that name.
  const HardwareSpec* find_hardware(const std::string& hardware_name) const;
};

}  // namespace nas::config
