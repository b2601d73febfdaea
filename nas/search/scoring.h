// Scoring one journaled candidate against the experiment: its objective
// vector (all minimised), its constraint violation and its scalar — exactly
// what a strategy observes. Pure functions of the record, so a resumed run
// tells the strategy bit-for-bit what the original run told it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/search/candidate_record.h"
#include "nas/search/scalarization.h"
#include "nas/search/strategy.h"

namespace nas::search {

// One constraint, resolved to its metric key.
struct Constraint {
  std::string key;  // "latency_ms@raspberry_pi4"
  std::optional<double> min, max;
};

class Scorer {
 public:
  explicit Scorer(const config::Experiment& experiment);

  const std::vector<std::string>& objective_keys() const { return objective_keys_; }
  const std::vector<bool>& maximize() const { return maximize_; }
  const std::vector<Constraint>& constraints() const { return constraints_; }
  const Scalarizer& scalarizer() const { return scalarizer_; }

  // One value per objective, to minimise (maximised metrics negated); +inf
  // for a missing or NaN metric and for every objective of a failed record.
  std::vector<double> objectives(const CandidateRecord& record) const;
  // Sum over violated constraints of |excess| / |bound| (|excess| when the
  // bound is 0), over the metrics the record has; a NaN metric violates by 1.
  double violation(const std::map<std::string, double>& metrics) const;
  // The violation of a record: as above, plus 1 for a skipped record that
  // does not reach any constraint (it failed a device's memory limit).
  double violation(const CandidateRecord& record) const;
  // The record's scalar: the penalty unless status ok and feasible.
  double scalar(const CandidateRecord& record) const;
  // The observation a strategy is told: `asked` is the genotype as the
  // strategy proposed it (the record holds the canonical one).
  Observation observe(const CandidateRecord& record, const space::Genotype& asked) const;

 private:
  std::vector<std::string> objective_keys_;
  std::vector<bool> maximize_;
  std::vector<Constraint> constraints_;
  Scalarizer scalarizer_;
};

// The metric keys a cost model fills in for one profile.
std::vector<std::string> cost_metric_keys(const std::string& hardware);
// True when a metric is known before the evaluator runs (params, macs and
// every per-hardware cost metric).
bool is_cost_metric(const std::string& key);

}  // namespace nas::search
