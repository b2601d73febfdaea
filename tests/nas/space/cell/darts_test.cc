// The DARTS space: decision encoding, size by formula, genotype notation.
#include <gtest/gtest.h>

#include <cstdint>

#include "nas/space/genotype_ops.h"
#include "tests/nas/space/cell/cell_test_util.h"

namespace nas::space::cell {
namespace {

// DARTS_V2 from the DARTS repository's genotypes.py.
const char* kDartsV2 =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
// The same cells with each node's inputs in ascending order.
const char* kDartsV2Canonical =
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('max_pool_3x3', 1), ('skip_connect', 2)], reduce_concat=[2, 3, 4, 5])";

TEST(Darts, DecisionsFollowTheDocumentedEncoding) {
  auto space = testing::load_shipped("darts.yaml");
  ASSERT_TRUE(space);
  const auto& d = space->decisions();
  ASSERT_EQ(d.size(), 24u);  // 2 cell types x 4 nodes x (inputs + 2 ops)
  EXPECT_EQ(d[0].name, "normal.node2.inputs");
  EXPECT_EQ(d[0].choices, std::vector<std::string>{"0+1"});
  EXPECT_EQ(d[1].name, "normal.node2.op0");
  EXPECT_EQ(d[1].choices.size(), 7u);
  EXPECT_EQ(d[3].name, "normal.node3.inputs");
  EXPECT_EQ(d[3].choices, (std::vector<std::string>{"0+1", "0+2", "1+2"}));
  EXPECT_EQ(d[12].name, "reduce.node2.inputs");
  EXPECT_EQ(d[23].name, "reduce.node5.op1");
  EXPECT_EQ(d[21].choices.size(), 10u);  // C(5, 2)
}

TEST(Darts, SizeMatchesTheFormula) {
  auto space = testing::load_shipped("darts.yaml");
  ASSERT_TRUE(space);
  // Per cell: node j (2..5) picks 2 of its j predecessors, one of 7 ops each.
  uint64_t cell = 1;
  for (uint64_t j = 2; j <= 5; ++j) cell *= j * (j - 1) / 2 * 7 * 7;
  EXPECT_EQ(space_size(*space), std::to_string(cell * cell));
  EXPECT_EQ(space_size(*space), "1076746950455072400");
}

TEST(Darts, GenotypeNotationRoundTripsAndMatchesDartsV2) {
  auto space = testing::load_shipped("darts.yaml");
  ASSERT_TRUE(space);
  auto v2 = space->parse(kDartsV2);
  ASSERT_TRUE(v2.is_ok()) << v2.status().message();
  const Genotype g = v2.take();
  EXPECT_EQ(space->canonical_string(g), kDartsV2Canonical);
  EXPECT_EQ(space->parse(kDartsV2Canonical).take(), g);
  // range(2, 6) as the searched genotypes print it, and free spacing.
  std::string ranged = kDartsV2;
  ranged.replace(ranged.find("normal_concat=[2, 3, 4, 5]"), 26, "normal_concat = range(2, 6)");
  EXPECT_EQ(space->parse(ranged).take(), g);
  train::Rng rng(7);
  for (int i = 0; i < 200; ++i) {
    const Genotype r = sample_uniform(*space, rng);
    auto back = space->parse(space->canonical_string(r));
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(back.take(), r);
  }
}

std::string cell_pair(const std::string& normal) {
  return "Genotype(normal=[" + normal + "], normal_concat=[2, 3, 4, 5], reduce=[" + normal +
         "], reduce_concat=[2, 3, 4, 5])";
}

TEST(Darts, CanonicalizeMergesRelabelledIntermediateNodes) {
  auto space = testing::load_shipped("darts.yaml");
  ASSERT_TRUE(space);
  // Nodes 2 and 3 both read the cell inputs; B swaps them (and so node 4's inputs).
  const Genotype a = space->parse(cell_pair(
      "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 1), "
      "('max_pool_3x3', 2), ('avg_pool_3x3', 3), ('dil_conv_3x3', 0), ('sep_conv_5x5', 4)")).take();
  const Genotype b = space->parse(cell_pair(
      "('skip_connect', 0), ('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
      "('avg_pool_3x3', 2), ('max_pool_3x3', 3), ('dil_conv_3x3', 0), ('sep_conv_5x5', 4)")).take();
  const Genotype c = space->parse(cell_pair(
      "('skip_connect', 0), ('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
      "('max_pool_3x3', 2), ('avg_pool_3x3', 3), ('dil_conv_3x3', 0), ('sep_conv_5x5', 4)")).take();
  EXPECT_NE(a, b);
  EXPECT_EQ(space->canonicalize(a), space->canonicalize(b));
  EXPECT_NE(space->canonicalize(a), space->canonicalize(c));
  // Node 3 reads node 2, so they cannot swap.
  const Genotype chain = space->parse(cell_pair(
      "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 2), "
      "('max_pool_3x3', 2), ('avg_pool_3x3', 3), ('dil_conv_3x3', 0), ('sep_conv_5x5', 4)")).take();
  EXPECT_EQ(space->canonicalize(chain), chain);
  // A representative is its own, and builds the same network (same MACs
  // and parameters, in another order).
  train::Rng rng(9);
  for (int i = 0; i < 20; ++i) {
    const Genotype g = sample_uniform(*space, rng);
    const Genotype r = space->canonicalize(g);
    EXPECT_EQ(space->canonicalize(r), r);
    EXPECT_LE(r, g);
    auto sg = graph::build_network_spec(space->decode(g).take(), 1).take();
    auto sr = graph::build_network_spec(space->decode(r).take(), 1).take();
    EXPECT_EQ(sg.total_cost().macs, sr.total_cost().macs);
    EXPECT_EQ(sg.param_count(), sr.param_count());
  }
}

TEST(Darts, ParseErrorsSayWhatIsWrong) {
  auto space = testing::load_shipped("darts.yaml");
  ASSERT_TRUE(space);
  auto error = [&](std::string s) {
    auto r = space->parse(s);
    EXPECT_FALSE(r.is_ok()) << s;
    return r.is_ok() ? std::string() : r.status().message();
  };
  auto edit = [](std::string from, const std::string& what, const std::string& with) {
    from.replace(from.find(what), what.size(), with);
    return from;
  };
  const std::string v2 = kDartsV2;
  EXPECT_EQ(error("Genotipe(normal=[])"), "invalid DARTS genotype: expected 'Genotype(' at character 1 ('Genotipe(normal=')");
  EXPECT_EQ(error(edit(v2, "('dil_conv_3x3', 2)", "('dil_conv_3x3', 0)")),
            "invalid DARTS genotype: normal node 5: input 0 is used twice");
  EXPECT_EQ(error(edit(v2, "('dil_conv_3x3', 2)", "('dil_conv_3x3', 6)")),
            "invalid DARTS genotype: normal node 5: input 6 is not an earlier node (0 to 4)");
  EXPECT_EQ(error(edit(v2, "('dil_conv_3x3', 2)", "('dil_conv_3x4', 2)")).substr(0, 80),
            std::string("invalid DARTS genotype: normal node 5: unknown op 'dil_conv_3x4' (did you mean 'dil_conv_3x3'?")
                .substr(0, 80));
  EXPECT_EQ(error(edit(v2, ", ('dil_conv_3x3', 2)", "")),
            "invalid DARTS genotype: normal: expected 8 ('op', input) pairs (4 nodes x 2), got 7");
  EXPECT_EQ(error(edit(v2, "normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3]")),
            "invalid DARTS genotype: normal_concat: this space concatenates every intermediate "
            "node, [2, 3, 4, 5]");
  EXPECT_EQ(error(edit(v2, ", reduce_concat=[2, 3, 4, 5]", "")),
            "invalid DARTS genotype: missing field 'reduce_concat'");
  EXPECT_EQ(error(v2 + "x"), "invalid DARTS genotype: unexpected text after ')' at character " +
                                 std::to_string(v2.size() + 1) + " ('x')");
}

}  // namespace
}  // namespace nas::space::cell
