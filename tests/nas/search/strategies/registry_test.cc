// Every strategy through the registry, on every space the project ships:
// the catalog and the registry agree, and proposals are valid genotypes that
// decode and survive their canonical string, whatever the space's kind.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/search/strategy.h"
#include "nas/search/strategy_catalog.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::search {
namespace {

// One config of every alternative, small enough for a few asks.
std::vector<config::StrategyConfig> one_of_each() {
  config::ReinforceConfig reinforce;
  reinforce.hidden = 16;
  return {config::RandomConfig{}, config::EvolutionConfig{8, 4, 1},
          config::Nsga2Config{8, 0.9, 0.2}, reinforce};
}

const CatalogEntry* catalog_entry(const std::string& name) {
  for (const CatalogEntry& e : strategy_catalog())
    if (name == e.name) return &e;
  return nullptr;
}

std::unique_ptr<space::Space> load(const std::string& file) {
  config::Diagnostics diagnostics;
  auto s = space::load_space(testing::source_dir() + "/search_spaces/" + file, diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << file;
  return s;
}

TEST(StrategyRegistry, BuildsExactlyWhatTheCatalogMarksBuilt) {
  const auto space = load("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  EXPECT_EQ(strategy_catalog().size(), one_of_each().size());
  for (const config::StrategyConfig& c : one_of_each()) {
    const std::string name = config::strategy_name(c);
    const CatalogEntry* entry = catalog_entry(name);
    ASSERT_NE(entry, nullptr) << name;
    auto s = make_strategy(c, StrategyContext{space.get(), 0, 2});
    if (entry->built) {
      EXPECT_TRUE(s.is_ok()) << name << ": " << s.status().message();
    } else {
      ASSERT_FALSE(s.is_ok()) << name;
      EXPECT_EQ(s.status().message(), "strategy '" + name + "' is not built yet");
    }
  }
}

TEST(StrategyRegistry, EveryBuiltStrategyProposesValidNetworksOnEveryShippedSpace) {
  std::vector<std::string> files;
  for (const auto& f :
       std::filesystem::directory_iterator(testing::source_dir() + "/search_spaces"))
    if (f.path().extension() == ".yaml") files.push_back(f.path().filename().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    const auto space = load(file);
    ASSERT_TRUE(space) << file;
    for (const config::StrategyConfig& c : one_of_each()) {
      const std::string name = config::strategy_name(c);
      if (!catalog_entry(name)->built) continue;
      auto s = make_strategy(c, StrategyContext{space.get(), 1, 2});
      ASSERT_TRUE(s.is_ok()) << name << " on " << file << ": " << s.status().message();
      int64_t id = 0;
      for (int round = 0; round < 4; ++round) {
        const std::vector<space::Genotype> asked = s.value()->ask(5);
        ASSERT_EQ(asked.size(), 5u);
        std::vector<Observation> told;
        for (const space::Genotype& g : asked) {
          ASSERT_TRUE(space->valid(g)) << name << " on " << file;
          const auto parsed = space->parse(space->canonical_string(g));
          ASSERT_TRUE(parsed.is_ok())
              << name << " on " << file << ": " << parsed.status().message();
          EXPECT_EQ(space->canonicalize(parsed.value()), space->canonicalize(g));
          const auto arch = space->decode(g);
          EXPECT_TRUE(arch.is_ok()) << name << " on " << file << ": " << arch.status().message();
          // Synthetic results: a value derived from the network, not the encoding.
          const double v = static_cast<double>(space::genotype_hash(space->canonicalize(g)) % 1000);
          Observation o;
          o.id = id++;
          o.genotype = g;
          o.objectives = {-v, v / 2};
          o.scalar = v;
          o.ok = (o.id % 7) != 3;
          told.push_back(o);
        }
        s.value()->tell(told);
      }
    }
  }
}

}  // namespace
}  // namespace nas::search
