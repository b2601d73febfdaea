// The experiment's scalarisation: one number per candidate, to maximise,
// that single-objective strategies rank by and REINFORCE takes as reward
// (docs/experiment.md, section scalarization).
#pragma once

#include <map>
#include <string>

#include "nas/config/experiment.h"

namespace nas::search {

class Scalarizer {
 public:
  // Reads only `experiment.objectives` and `experiment.scalarization`; keeps
  // copies, so the experiment need not outlive it.
  explicit Scalarizer(const config::Experiment& experiment);

  // The scalar of a candidate with these metrics. `usable` is false for a
  // failed, skipped or constraint-violating candidate: it then gets the
  // penalty (infeasible_penalty(), which may be -infinity). A metric the
  // formula needs that is missing or NaN also gives the penalty.
  double scalar(const std::map<std::string, double>& metrics, bool usable) const;
  double infeasible_penalty() const { return penalty_; }

 private:
  config::ScalarizationKind kind_;
  std::vector<std::string> objective_keys_;
  std::vector<bool> maximize_;
  std::vector<double> weights_;
  std::string mnas_key_;
  double target_ = 0;
  double w_ = 0;
  config::MnasForm form_ = config::MnasForm::kSoft;
  double penalty_;
};

// MnasNet's reward ACC x (LAT/T)^e, with e = w (soft form, or hard form over
// the target) or 0 (hard form at or under the target). Tan et al. 2019, eq. 2.
double mnas_reward(double accuracy, double value, double target, double w, config::MnasForm form);

}  // namespace nas::search
