// NAS-Bench-201's space: size, the benchmark's isomorphism classes, arch
// strings.
#include <gtest/gtest.h>

#include <set>

#include "nas/space/genotype_ops.h"
#include "tests/nas/space/cell/cell_test_util.h"

namespace nas::space::cell {
namespace {

const char* kKnown =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

TEST(NasBench201, HasSixEdgesOfFiveOpsAnd15625Genotypes) {
  auto space = testing::load_shipped("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  EXPECT_EQ(space->kind(), SpaceKind::kCell);
  ASSERT_EQ(space->decisions().size(), 6u);
  EXPECT_EQ(space->decisions()[0].name, "edge 1<-0");
  EXPECT_EQ(space->decisions()[2].name, "edge 2<-1");
  EXPECT_EQ(space->decisions()[5].name, "edge 3<-2");
  const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                        "avg_pool_3x3"};
  for (const Decision& d : space->decisions()) EXPECT_EQ(d.choices, ops);
  EXPECT_EQ(space_size(*space), "15625");
  int64_t n = enumerate(*space, 1 << 20, [](const Genotype&) { return true; });
  EXPECT_EQ(n, 15625);
}

// The NAS-Bench-201 paper (and its API's to_unique_str(consider_zero=True))
// count 6466 unique architectures among the 15625.
TEST(NasBench201, Has6466IsomorphismClassesAndCanonicalizeIsAProjection) {
  auto space = testing::load_shipped("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  std::set<Genotype> classes;
  enumerate(*space, 1 << 20, [&](const Genotype& g) {
    const Genotype c = space->canonicalize(g);
    EXPECT_EQ(space->canonicalize(c), c);
    EXPECT_LE(c, g);  // the smallest member represents its class
    classes.insert(c);
    return true;
  });
  EXPECT_EQ(classes.size(), 6466u);
}

TEST(NasBench201, CanonicalizeMergesDeadEdgesAndReorderedSums) {
  auto space = testing::load_shipped("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  auto parse = [&](const std::string& s) { return space->parse(s).take(); };
  // Node 1 feeds only none edges: its op cannot matter.
  EXPECT_EQ(space->canonicalize(parse("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")),
            space->canonicalize(parse("|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")));
  // Node 1 is a copy of the input, so conv(0)+pool(1) == pool(0)+conv(1).
  EXPECT_EQ(space->canonicalize(parse("|skip_connect~0|+|none~0|none~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|")),
            space->canonicalize(parse("|skip_connect~0|+|none~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|")));
  // Different functions stay apart.
  EXPECT_NE(space->canonicalize(parse("|skip_connect~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")),
            space->canonicalize(parse("|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|")));
}

TEST(NasBench201, ArchStringsRoundTripForEveryGenotype) {
  auto space = testing::load_shipped("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  enumerate(*space, 1 << 20, [&](const Genotype& g) {
    auto back = space->parse(space->canonical_string(g));
    EXPECT_TRUE(back.is_ok());
    if (back.is_ok()) {
      EXPECT_EQ(back.take(), g);
    }
    return !::testing::Test::HasFailure();
  });
  auto g = space->parse(kKnown);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  const Genotype want = {3, 3, 4, 1, 3, 1};
  const Genotype got = g.take();
  EXPECT_EQ(got, want);
  EXPECT_EQ(space->canonical_string(got), kKnown);
  EXPECT_EQ(space->canonical_string({0, 0, 0, 0, 0, 0}),
            "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
}

TEST(NasBench201, ParseErrorsSayWhatIsWrong) {
  auto space = testing::load_shipped("nas_bench_201.yaml");
  ASSERT_TRUE(space);
  auto error = [&](const std::string& s) {
    auto r = space->parse(s);
    EXPECT_FALSE(r.is_ok()) << s;
    return r.is_ok() ? std::string() : r.status().message();
  };
  const std::string prefix = "invalid NAS-Bench-201 arch string ";
  EXPECT_EQ(error("|nor_conv_3x3~0|+|none~0|none~1|"),
            prefix + "'|nor_conv_3x3~0|+|none~0|none~1|': expected 3 nodes separated by '+', got 2");
  EXPECT_EQ(error("|nor_conv_3x3~0|+|none~0|+|none~0|none~1|none~2|"),
            prefix + "'|nor_conv_3x3~0|+|none~0|+|none~0|none~1|none~2|': node 2 ('|none~0|'): "
                     "expected 2 edges 'op~input', got 1");
  EXPECT_EQ(error("|nor_conv_3x4~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
            prefix + "'|nor_conv_3x4~0|+|none~0|none~1|+|none~0|none~1|none~2|': node 1 "
                     "('|nor_conv_3x4~0|'): unknown op 'nor_conv_3x4' (did you mean 'nor_conv_3x3'? "
                     "valid ops: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3)");
  EXPECT_EQ(error("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|"),
            prefix + "'|none~0|+|none~1|none~0|+|none~0|none~1|none~2|': node 2 ('|none~1|none~0|'): "
                     "edge 'none~1' must read node 0 (edges are listed by input, 0 to 1)");
  EXPECT_EQ(error("none~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
            prefix + "'none~0|+|none~0|none~1|+|none~0|none~1|none~2|': node 1 ('none~0|') must "
                     "start and end with '|'");
  EXPECT_EQ(error("|none|+|none~0|none~1|+|none~0|none~1|none~2|"),
            prefix + "'|none|+|none~0|none~1|+|none~0|none~1|none~2|': node 1 ('|none|'): edge "
                     "'none' is not 'op~input'");
}

}  // namespace
}  // namespace nas::space::cell
