#include "nas/space/genotype_ops.h"

#include <gtest/gtest.h>

#include <set>

namespace nas::space {
namespace {

// A space of plain decisions, for the generic operations.
class ToySpace : public Space {
 public:
  explicit ToySpace(std::vector<int> sizes) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      Decision d{"d", {}};
      d.name += std::to_string(i);
      for (int c = 0; c < sizes[i]; ++c) d.choices.push_back(std::to_string(c));
      decisions_.push_back(d);
    }
  }
  const std::string& name() const override { return name_; }
  SpaceKind kind() const override { return SpaceKind::kMacro; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string canonical_string(const Genotype& g) const override {
    std::string s;
    for (int v : g) s += std::to_string(v) + ",";
    return s;
  }
  Result<Genotype> parse(const std::string&) const override { return Status::error("unused"); }
  Result<config::Architecture> decode(const Genotype&) const override { return Status::error("unused"); }

 private:
  std::string name_ = "toy";
  std::vector<Decision> decisions_;
};

TEST(GenotypeOps, SampleIsValidAndCoversChoices) {
  ToySpace s({3, 1, 4});
  train::Rng rng(1);
  std::set<int> seen;
  for (int i = 0; i < 200; ++i) {
    Genotype g = sample_uniform(s, rng);
    ASSERT_TRUE(s.valid(g));
    seen.insert(g[2]);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(GenotypeOps, MutateChangesExactlyKDecisionsWithChoices) {
  ToySpace s({3, 1, 4, 2, 5});
  train::Rng rng(7);
  for (int k = 0; k <= 5; ++k) {
    Genotype p = sample_uniform(s, rng);
    Genotype c = mutate(s, p, k, rng);
    ASSERT_TRUE(s.valid(c));
    int changed = 0;
    for (size_t i = 0; i < p.size(); ++i) changed += p[i] != c[i];
    EXPECT_EQ(changed, std::min(k, 4)) << k;  // decision 1 has one choice
    EXPECT_EQ(c[1], 0);
  }
}

TEST(GenotypeOps, CrossoverTakesEachDecisionFromAParent) {
  train::Rng rng(3);
  Genotype a = {0, 0, 0, 0, 0, 0, 0, 0}, b = {1, 1, 1, 1, 1, 1, 1, 1};
  Genotype c = crossover(a, b, rng);
  int ones = 0;
  for (int v : c) ones += v;
  EXPECT_GT(ones, 0);
  EXPECT_LT(ones, 8);
}

TEST(GenotypeOps, EnumerateSizeAndHash) {
  ToySpace s({2, 3, 2});
  std::set<std::vector<int>> all;
  EXPECT_EQ(enumerate(s, 100, [&](const Genotype& g) { all.insert(g); return true; }), 12);
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(enumerate(s, 5, [](const Genotype&) { return true; }), 5);
  EXPECT_EQ(space_size(s), "12");
  EXPECT_NEAR(space_size_log10(s), std::log10(12.0), 1e-12);
  ToySpace fbnet_like(std::vector<int>(22, 9));
  EXPECT_EQ(space_size(fbnet_like), "984770902183611232881");  // 9^22
  EXPECT_EQ(genotype_hash({1, 2}), genotype_hash({1, 2}));
  EXPECT_NE(genotype_hash({1, 2}), genotype_hash({2, 1}));
}

TEST(GenotypeOps, SameSeedSameSequence) {
  ToySpace s({5, 5, 5});
  train::Rng a(9), b(9);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sample_uniform(s, a), sample_uniform(s, b));
}

}  // namespace
}  // namespace nas::space
