// The `tabular` evaluator: looks each candidate up in a MetricTable (a CSV
// of published or previously measured results) instead of training it, so
// strategies can be compared on a benchmark table in seconds.
#pragma once

#include <memory>

#include "nas/eval/evaluator.h"
#include "nas/eval/metric_table.h"

namespace nas::eval {

class TabularEvaluator : public Evaluator {
 public:
  // `space` must outlive the evaluator.
  TabularEvaluator(MetricTable table, const space::Space& space)
      : table_(std::move(table)), space_(space) {}

  // The row of the candidate's canonical string (or, failing that, of the
  // canonical string of its isomorphism-class representative): every column
  // becomes a metric. No row: ok = false, error "not in table: ARCH".
  EvalResult evaluate(const EvalRequest& request) override;
  // Look-ups are cheap and lock-free.
  int preferred_parallelism() const override { return 64; }

  const MetricTable& table() const { return table_; }

 private:
  MetricTable table_;
  const space::Space& space_;
};

// Loads the table the experiment's TabularConfig names against `space`;
// errors are "file:line:col: error: ..." lines (see MetricTable).
Result<std::unique_ptr<Evaluator>> make_tabular_evaluator(const config::TabularConfig& config,
                                                          const space::Space& space);

}  // namespace nas::eval
