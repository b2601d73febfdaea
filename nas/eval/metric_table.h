// MetricTable: a CSV of canonical genotype -> metrics, the data of the
// `tabular` evaluator (docs/evaluators.md, "The table format"):
//
//   # comment lines and blank lines are ignored
//   arch,accuracy,loss,train_time_s
//   "r28-w1.0|s1:mbconv,3,...",0.9132,0.251,12.5
//
// The first column is `arch`, the space's canonical string of a genotype
// (quoted with "..." when it holds a comma; "" inside quotes is a quote).
// `accuracy` (a fraction in [0, 1]) is required; every other column is a
// metric of the same name. Every cell is a finite number; every arch parses
// in the space and appears once.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::eval {

class MetricTable {
 public:
  // The metrics of `canonical` (the space's canonical string), or null when
  // the table has no such row. Thread-safe (const).
  const std::map<std::string, double>* find(const std::string& canonical) const;

  const std::vector<std::string>& columns() const { return columns_; }  // metric columns
  size_t size() const { return rows_.size(); }

  // Reads the CSV `text` (its name for messages is `file`) against `space`:
  // arch strings are parsed and re-printed by the space, so spellings that
  // differ only in formatting find the same row. Returns the table, or
  // nullopt after adding every problem (at most kMaxErrors, then one line
  // saying how many more) to `diagnostics` as file:line:col.
  static std::optional<MetricTable> parse(const std::string& file, const std::string& text,
                                          const space::Space& space,
                                          config::Diagnostics& diagnostics);
  // The same for a file on disk; a file that cannot be read is one
  // diagnostic naming it.
  static std::optional<MetricTable> load(const std::string& file, const space::Space& space,
                                         config::Diagnostics& diagnostics);

  static constexpr size_t kMaxErrors = 20;

 private:
  std::vector<std::string> columns_;
  std::map<std::string, std::map<std::string, double>> rows_;
};

}  // namespace nas::eval
