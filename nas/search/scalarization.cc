#include "nas/search/scalarization.h"

#include <cmath>
#include <limits>

#include "nas/search/candidate_record.h"

namespace nas::search {
namespace {

bool lookup(const std::map<std::string, double>& metrics, const std::string& key, double* out) {
  const auto it = metrics.find(key);
  if (it == metrics.end() || std::isnan(it->second)) return false;
  *out = it->second;
  return true;
}

std::string key_of(const config::Located<std::string>& metric,
                   const std::optional<config::Located<std::string>>& hardware) {
  return metric_key(metric.value, hardware ? hardware->value : std::string());
}

}  // namespace

double mnas_reward(double accuracy, double value, double target, double w, config::MnasForm form) {
  const double exponent = (form == config::MnasForm::kHard && value <= target) ? 0.0 : w;
  return accuracy * std::pow(value / target, exponent);
}

Scalarizer::Scalarizer(const config::Experiment& e) : kind_(e.scalarization.kind) {
  for (const config::ObjectiveSpec& o : e.objectives) {
    objective_keys_.push_back(key_of(o.metric, o.hardware));
    maximize_.push_back(o.goal == config::Goal::kMaximize);
  }
  const config::ScalarizationSpec& s = e.scalarization;
  weights_ = s.weights;
  if (kind_ == config::ScalarizationKind::kMnas) {
    mnas_key_ = key_of(s.metric, s.hardware);
    target_ = s.target;
    w_ = s.w;
    form_ = s.form;
  }
  // MnasNet's reward is >= 0 for every feasible candidate, so 0 is its
  // natural floor; the other kinds have none, so infeasible candidates sit
  // below every feasible one.
  penalty_ = s.infeasible_penalty ? *s.infeasible_penalty
             : kind_ == config::ScalarizationKind::kMnas
                 ? 0.0
                 : -std::numeric_limits<double>::infinity();
}

double Scalarizer::scalar(const std::map<std::string, double>& metrics, bool usable) const {
  if (!usable) return penalty_;
  switch (kind_) {
    case config::ScalarizationKind::kFirstObjective: {
      double v = 0;
      if (!lookup(metrics, objective_keys_[0], &v)) return penalty_;
      return maximize_[0] ? v : -v;
    }
    case config::ScalarizationKind::kWeighted: {
      double sum = 0;
      for (size_t i = 0; i < objective_keys_.size(); ++i) {
        double v = 0;
        if (!lookup(metrics, objective_keys_[i], &v)) return penalty_;
        sum += weights_[i] * (maximize_[i] ? v : -v);
      }
      return sum;
    }
    case config::ScalarizationKind::kMnas: {
      double acc = 0, value = 0;
      if (!lookup(metrics, "accuracy", &acc) || !lookup(metrics, mnas_key_, &value)) return penalty_;
      return mnas_reward(acc, value, target_, w_, form_);
    }
  }
  return penalty_;
}

}  // namespace nas::search
