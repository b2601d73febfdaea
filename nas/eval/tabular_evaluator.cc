#include "nas/eval/tabular_evaluator.h"

namespace nas::eval {

EvalResult TabularEvaluator::evaluate(const EvalRequest& request) {
  EvalResult result;
  NAS_CHECK(request.genotype != nullptr);
  const std::string canonical =
      request.canonical ? *request.canonical : space_.canonical_string(*request.genotype);
  const std::map<std::string, double>* row = table_.find(canonical);
  if (!row) {
    // A table may list only one member of each isomorphism class.
    const space::Genotype representative = space_.canonicalize(*request.genotype);
    if (representative != *request.genotype)
      row = table_.find(space_.canonical_string(representative));
  }
  if (!row) {
    result.ok = false;
    result.error = "not in table: " + canonical;
    return result;
  }
  result.metrics = *row;
  return result;
}

Result<std::unique_ptr<Evaluator>> make_tabular_evaluator(const config::TabularConfig& config,
                                                          const space::Space& space) {
  config::Diagnostics diagnostics;
  auto table = MetricTable::load(config.table.value.string(), space, diagnostics);
  if (!table) return Status::error(diagnostics.str());
  return std::unique_ptr<Evaluator>(std::make_unique<TabularEvaluator>(std::move(*table), space));
}

}  // namespace nas::eval
