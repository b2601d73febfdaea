#include "nas/search/scoring.h"

#include <cmath>
#include <limits>

namespace nas::search {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double excess_ratio(double excess, double bound) {
  return bound == 0 ? std::abs(excess) : std::abs(excess) / std::abs(bound);
}

}  // namespace

std::vector<std::string> cost_metric_keys(const std::string& hardware) {
  return {metric_key("latency_ms", hardware), metric_key("energy_mj", hardware),
          metric_key("peak_memory_bytes", hardware)};
}

bool is_cost_metric(const std::string& key) {
  if (key == "params" || key == "macs") return true;
  return key.find('@') != std::string::npos;
}

Scorer::Scorer(const config::Experiment& e) : scalarizer_(e) {
  for (const config::ObjectiveSpec& o : e.objectives) {
    objective_keys_.push_back(metric_key(o.metric.value, o.hardware ? o.hardware->value : ""));
    maximize_.push_back(o.goal == config::Goal::kMaximize);
  }
  for (const config::ConstraintSpec& c : e.constraints) {
    constraints_.push_back(
        {metric_key(c.metric.value, c.hardware ? c.hardware->value : ""), c.min, c.max});
  }
}

std::vector<double> Scorer::objectives(const CandidateRecord& r) const {
  std::vector<double> out(objective_keys_.size(), kInf);
  if (r.status == CandidateStatus::kFailed) return out;
  for (size_t i = 0; i < objective_keys_.size(); ++i) {
    const auto it = r.metrics.find(objective_keys_[i]);
    if (it == r.metrics.end() || std::isnan(it->second)) continue;
    out[i] = maximize_[i] ? -it->second : it->second;
  }
  return out;
}

double Scorer::violation(const std::map<std::string, double>& metrics) const {
  double v = 0;
  for (const Constraint& c : constraints_) {
    const auto it = metrics.find(c.key);
    if (it == metrics.end()) continue;
    const double x = it->second;
    if (std::isnan(x)) {
      v += 1;
      continue;
    }
    if (c.max && x > *c.max) v += excess_ratio(x - *c.max, *c.max);
    if (c.min && x < *c.min) v += excess_ratio(*c.min - x, *c.min);
  }
  return v;
}

double Scorer::violation(const CandidateRecord& r) const {
  const double v = violation(r.metrics);
  if (r.status == CandidateStatus::kSkipped && v == 0) return 1;
  return v;
}

double Scorer::scalar(const CandidateRecord& r) const {
  const bool usable = r.status == CandidateStatus::kOk && r.feasible;
  return scalarizer_.scalar(r.metrics, usable);
}

Observation Scorer::observe(const CandidateRecord& r, const space::Genotype& asked) const {
  Observation o;
  o.id = r.id;
  o.genotype = asked;
  o.ok = r.status != CandidateStatus::kFailed;
  o.objectives = objectives(r);
  o.violation = o.ok ? violation(r) : 0;
  o.scalar = scalar(r);
  return o;
}

}  // namespace nas::search
