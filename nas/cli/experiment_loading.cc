#include "nas/cli/experiment_loading.h"

#include <iostream>

#include "nas/config/catalog.h"
#include "nas/config/load_experiment.h"
#include "nas/eval/evaluator_catalog.h"
#include "nas/search/strategy_catalog.h"
#include "nas/space/space_loader.h"

namespace nas::cli {
namespace {

// Strategy and evaluator names come from this binary's catalogs; datasets and
// metrics from the config's defaults until their registries exist.
config::Catalog binary_catalog() {
  config::Catalog c = config::Catalog::defaults();
  c.strategies.clear();
  for (const CatalogEntry& e : strategy_catalog()) c.strategies.push_back(e.name);
  c.evaluators.clear();
  for (const CatalogEntry& e : evaluator_catalog()) c.evaluators.push_back(e.name);
  return c;
}

}  // namespace

std::optional<config::Experiment> load_experiment_or_report(const std::string& path) {
  config::Diagnostics diagnostics;
  auto experiment = config::load_experiment(path, binary_catalog(), diagnostics);
  // The op space the experiment names must load too: its errors point into
  // the space file.
  if (experiment && !space::load_space(experiment->space.value.string(), diagnostics))
    experiment.reset();
  if (!diagnostics.empty()) std::cerr << diagnostics.str() << "\n";
  return experiment;
}

std::filesystem::path run_folder_of(const config::Experiment& experiment) {
  if (!experiment.output.value.empty()) return experiment.output.value;
  return std::filesystem::path("runs") / experiment.name.value;
}

}  // namespace nas::cli
