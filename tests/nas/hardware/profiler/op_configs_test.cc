#include "nas/hardware/profiler/op_configs.h"

#include <gtest/gtest.h>

#include <set>

#include "nas/graph/architecture_builder.h"
#include "nas/space/genotype_ops.h"
#include "tests/nas/hardware/profiler/profiler_test_util.h"

namespace nas::hardware {
namespace {

// Every signature of every genotype, the slow way.
std::set<std::string> all_signatures(const space::Space& s) {
  std::set<std::string> out;
  space::enumerate(s, 1000, [&](const space::Genotype& g) {
    auto spec = graph::build_network_spec(s.decode(g).value(), 1);
    EXPECT_TRUE(spec);
    for (int id = 0; id < spec.value().size(); ++id)
      if (!spec.value().node(id).is_input()) out.insert(spec.value().node(id).signature);
    return true;
  });
  return out;
}

TEST(OpConfigs, EnumeratesASmallSpaceExactly) {
  const std::string dir = testing::fresh_dir("configs_exact");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  OpConfigSet set;
  auto cov = collect_op_configs({s.get()}, {}, set);
  ASSERT_TRUE(cov) << cov.status().message();
  ASSERT_EQ(cov.value().size(), 1u);
  EXPECT_TRUE(cov.value()[0].exhaustive);
  EXPECT_EQ(cov.value()[0].genotypes, 4);
  const std::set<std::string> expected = all_signatures(*s);
  EXPECT_EQ(set.size(), expected.size());
  EXPECT_EQ(cov.value()[0].configs, static_cast<int64_t>(expected.size()));
  for (const OpConfig& c : set.configs()) {
    EXPECT_TRUE(expected.count(c.signature)) << c.signature;
    // Its origin network really contains it.
    ASSERT_EQ(c.space_index, 0);
    auto spec = graph::build_network_spec(s->decode(c.genotype).value(), 1).take();
    bool found = false;
    for (int id = 0; id < spec.size(); ++id) found |= spec.node(id).signature_hash == c.signature_hash;
    EXPECT_TRUE(found) << c.signature;
  }
}

TEST(OpConfigs, SamplingFindsTheSameSetAndIsDeterministic) {
  const std::string dir = testing::fresh_dir("configs_sampled");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  CollectOptions o;
  o.enumerate_limit = 1;  // force sampling
  o.patience = 50;
  OpConfigSet a, b;
  auto ca = collect_op_configs({s.get()}, o, a);
  auto cb = collect_op_configs({s.get()}, o, b);
  ASSERT_TRUE(ca && cb);
  EXPECT_FALSE(ca.value()[0].exhaustive);
  EXPECT_GE(ca.value()[0].genotypes, 50);
  EXPECT_EQ(a.size(), all_signatures(*s).size());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.configs()[i].signature, b.configs()[i].signature);
}

TEST(OpConfigs, BatchIsPartOfTheSignature) {
  const std::string dir = testing::fresh_dir("configs_batch");
  auto s = testing::load_tiny_space(testing::write_tiny_space(dir));
  ASSERT_TRUE(s);
  CollectOptions o1, o4;
  o4.batch = 4;
  OpConfigSet set;
  ASSERT_TRUE(collect_op_configs({s.get()}, o1, set));
  const size_t one = set.size();
  ASSERT_TRUE(collect_op_configs({s.get()}, o4, set));
  EXPECT_EQ(set.size(), 2 * one);  // none shared: every input shape starts with the batch
}

TEST(OpConfigs, TwoSpacesShareTheirCommonConfigurations) {
  const std::string dir = testing::fresh_dir("configs_two");
  auto a = testing::load_tiny_space(testing::write_tiny_space(dir, "a", "8"));
  auto b = testing::load_tiny_space(testing::write_tiny_space(dir, "b", "16"));
  ASSERT_TRUE(a && b);
  OpConfigSet only_a, both;
  ASSERT_TRUE(collect_op_configs({a.get()}, {}, only_a));
  auto cov = collect_op_configs({a.get(), b.get()}, {}, both);
  ASSERT_TRUE(cov);
  EXPECT_GT(both.size(), only_a.size());
  // The stem is the same in both spaces, so the union is smaller than the sum.
  EXPECT_LT(both.size(), static_cast<size_t>(cov.value()[0].configs + cov.value()[1].configs));
}

}  // namespace
}  // namespace nas::hardware
