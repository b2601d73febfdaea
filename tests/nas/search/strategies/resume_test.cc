// Every built strategy through the real `nas search`: a run cut short after
// any number of journaled candidates (as by kill -9; here by truncating
// history.jsonl, so the cut points are exact) and continued with --resume
// ends with the same history as an uninterrupted run. This is the property
// the strategies' determinism exists for: the engine rebuilds a strategy by
// replaying the journal's results through ask/tell.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/search/strategy_catalog.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "tests/nas/testing/run_nas.h"
#include "tests/nas/testing/tabular_experiment.h"

namespace nas::search {
namespace {

namespace fs = std::filesystem;

// A NAS-Bench-201 table whose accuracy rewards convolutions edge by edge
// (something for the strategies to learn), plus a small genotype-dependent
// term so that ties are rare.
void write_table(const fs::path& file) {
  config::Diagnostics d;
  auto space = space::load_space(testing::source_dir() + "/search_spaces/nas_bench_201.yaml", d);
  ASSERT_TRUE(space);
  const double op_score[] = {0.1, 0.5, 0.7, 1.0, 0.4};  // NB-201's op order
  std::ofstream out(file);
  out << "arch,accuracy,loss\n";
  space::enumerate(*space, 1 << 20, [&](const space::Genotype& g) {
    double s = 0;
    for (int op : g) s += op_score[op] / 6;
    s += static_cast<double>(space::genotype_hash(g) % 1000) * 1e-5;
    out << space->canonical_string(g) << "," << 0.4 + 0.5 * s << "," << 1 - s << "\n";
    return true;
  });
}

std::string write_experiment(const fs::path& dir, const std::string& strategy) {
  return testing::write_tabular_experiment(dir.string(), {.seed = 7, .candidates = 90, .batch = 3, .strategy = strategy, .extra = ""});
}

// The journal's lines without their wall-time fields.
std::vector<std::string> history(const fs::path& run) {
  std::ifstream in(run / "history.jsonl");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    j.erase("eval_seconds");
    j.erase("cost_seconds");
    lines.push_back(j.dump());
  }
  return lines;
}

void keep_first_lines(const fs::path& file, size_t n) {
  std::ifstream in(file);
  std::stringstream kept;
  std::string line;
  for (size_t i = 0; i < n && std::getline(in, line); ++i) kept << line << "\n";
  in.close();
  std::ofstream(file, std::ios::trunc) << kept.str();
}

bool built(const std::string& name) {
  for (const CatalogEntry& e : strategy_catalog())
    if (name == e.name) return e.built;
  return false;
}

TEST(StrategyResume, EveryStrategyContinuesToTheSameHistory) {
  const std::vector<std::pair<std::string, std::string>> strategies = {
      {"random", "{name: random}"},
      {"evolution", "{name: evolution, population: 16, sample: 4}"},
      {"nsga2", "{name: nsga2, population: 12}"},
      {"reinforce", "{name: reinforce, controller: independent, samples_per_update: 4}"},
  };
  testing::TempDir dir;
  write_table(fs::path(dir.path()) / "table.csv");
  const fs::path run = fs::path(dir.path()) / "runs/t";
  for (const auto& [name, yaml] : strategies) {
    if (!built(name)) continue;
    const std::string exp = write_experiment(dir.path(), yaml);
    fs::remove_all(run);
    auto full = testing::run_nas("search " + exp);
    ASSERT_EQ(full.exit_code, 0) << name << ": " << full.err;
    const std::vector<std::string> reference = history(run);
    ASSERT_EQ(reference.size(), 90u) << name;
    // Cut inside the initial random phase, mid-batch, and at a generation
    // boundary of nsga2 (12) and of the batches (3).
    for (size_t cut : {5u, 31u, 48u, 89u}) {
      keep_first_lines(run / "history.jsonl", cut);
      auto resumed = testing::run_nas("search " + exp + " --resume");
      ASSERT_EQ(resumed.exit_code, 0) << name << " cut " << cut << ": " << resumed.err;
      EXPECT_EQ(history(run), reference) << name << " resumed after " << cut << " candidates";
    }
  }
}

}  // namespace
}  // namespace nas::search
