// An experiment YAML for end-to-end `nas search` tests that need no
// training and no host measuring: nas_bench_201 scored by the tabular
// evaluator from `table.csv` beside the experiment, two objectives
// (accuracy up, params down), output under dir/runs/t.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace nas::testing {

struct TabularExperiment {
  uint64_t seed = 5;
  int candidates = 30;
  int batch = 4;
  std::string strategy = "{name: random}";  // the YAML value of `strategy:`
  std::string extra;                         // appended as-is (more top-level keys)
};

// Writes dir/exp.yaml and returns its path. The caller writes dir/table.csv.
std::string write_tabular_experiment(const std::string& dir, const TabularExperiment& e);

// A NAS-Bench-201 table for it: accuracy a deterministic function of the
// genotype's hash (so strategies have something to find), one row per
// genotype. Fails the calling test if the space does not load.
void write_hashed_table(const std::filesystem::path& file);

}  // namespace nas::testing
