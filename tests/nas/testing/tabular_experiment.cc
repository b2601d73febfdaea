#include "tests/nas/testing/tabular_experiment.h"

#include <fstream>

#include "tests/nas/testing/run_nas.h"

namespace nas::testing {

std::string write_tabular_experiment(const std::string& dir, const TabularExperiment& e) {
  const std::string file = dir + "/exp.yaml";
  std::ofstream(file) << "name: t\nseed: " << e.seed << "\nspace: " << source_dir()
                      << "/search_spaces/nas_bench_201.yaml\n"
                         "dataset: {name: cifar10}\n"
                         "objectives:\n  - {metric: accuracy, goal: maximize}\n"
                         "  - {metric: params, goal: minimize}\n"
                         "strategy: "
                      << e.strategy
                      << "\nevaluator: {name: tabular, table: table.csv}\n"
                         "budget: {candidates: "
                      << e.candidates << ", batch: " << e.batch << "}\noutput: runs/t\n"
                      << e.extra;
  return file;
}

}  // namespace nas::testing
