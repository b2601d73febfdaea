#include "tests/nas/testing/tabular_experiment.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nas/config/diagnostics.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
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

void write_hashed_table(const std::filesystem::path& file) {
  config::Diagnostics d;
  auto space = space::load_space(source_dir() + "/search_spaces/nas_bench_201.yaml", d);
  ASSERT_TRUE(space) << d.str();
  std::ofstream out(file);
  out << "arch,accuracy,loss\n";
  space::enumerate(*space, 1 << 20, [&](const space::Genotype& g) {
    const uint64_t h = space::genotype_hash(g);
    const double acc = 0.5 + 0.45 * static_cast<double>(h % 10007) / 10007.0;
    out << space->canonical_string(g) << "," << acc << "," << 1 - acc << "\n";
    return true;
  });
}

}  // namespace nas::testing
