#include "nas/space/sequence/sequence_space.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/nas/space/macro/space_test_util.h"

namespace nas::space::sequence {
namespace {

using testing::check_forward;
using testing::check_random_genotypes;
using testing::load_shipped;

int decision(const Space& s, const std::string& name) {
  for (size_t i = 0; i < s.decisions().size(); ++i)
    if (s.decisions()[i].name == name) return static_cast<int>(i);
  ADD_FAILURE() << "no decision " << name;
  return 0;
}

std::unique_ptr<Space> write_and_load(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name + ".yaml";
  std::ofstream(path) << text;
  config::Diagnostics diags;
  auto s = load_space(path, diags);
  EXPECT_TRUE(s) << diags.str();
  return s;
}

TEST(SequenceSpaces, SizesMatchTheirDefinitions) {
  auto vit = load_shipped("vit_tiny");
  ASSERT_TRUE(vit);
  // layers {2,3,4} x embed {32,48,64} x, per layer slot (4), block (4) x
  // heads (2) x ffn_ratio (2) x attention (3).
  const int64_t per_layer = 4 * 2 * 2 * 3;
  EXPECT_EQ(space_size(*vit), std::to_string(3 * 3 * per_layer * per_layer * per_layer * per_layer));
  auto rnn = load_shipped("rnn_seq");
  ASSERT_TRUE(rnn);
  // layers {1,2,3} x embed {32,64} x block per layer (4^3) x shared heads
  // (2) x shared attention (2); ffn_ratio is fixed.
  EXPECT_EQ(space_size(*rnn), std::to_string(3 * 2 * 64 * 2 * 2));
}

TEST(SequenceSpaces, RandomGenotypesDecodeBuildAndCostAsTheirOps) {
  for (const char* name : {"vit_tiny", "rnn_seq"}) {
    SCOPED_TRACE(name);
    auto s = load_shipped(name);
    ASSERT_TRUE(s);
    check_random_genotypes(*s, 200, 10, 17);
  }
}

TEST(SequenceSpaces, CanonicalStringAndParse) {
  auto s = load_shipped("rnn_seq");
  ASSERT_TRUE(s);
  Genotype g(s->decisions().size(), 0);
  g[decision(*s, "layers")] = 2;
  g[decision(*s, "layer2.block")] = 3;
  EXPECT_EQ(s->canonical_string(g), "d3-e32|lstm/transformer/lstm,h2,f2,full");
  auto back = s->parse("d3-e32|lstm/transformer/lstm,h2,f2,full");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back.value(), g);
  const auto error = [&](const std::string& text) {
    auto r = s->parse(text);
    return r.is_ok() ? std::string("parsed") : r.status().message();
  };
  EXPECT_NE(error("d3-e32").find("expected 'd<layers>-e<embed>|<layer fields>'"), std::string::npos);
  EXPECT_NE(error("d3-e32|lstm/lstm,h2,f2,full").find("block: expected 3 value(s), got 2"),
            std::string::npos)
      << error("d3-e32|lstm/lstm,h2,f2,full");
  EXPECT_NE(error("d3-e32|lstm/lstm/cnn,h2,f2,full").find("'cnn' is not a choice"), std::string::npos);
  EXPECT_NE(error("d3-e31|lstm/lstm/lstm,h2,f2,full").find("embed: '31' is not a choice (choices: 32, 64)"),
            std::string::npos);
  EXPECT_NE(error("d3-e32|lstm/lstm/lstm,h2,f2").find("expected 4 ','-separated layer fields, got 3"),
            std::string::npos);
}

TEST(SequenceSpaces, CanonicalizeMasksLayersBeyondTheDepthAndUnusedSettings) {
  auto s = load_shipped("vit_tiny");
  ASSERT_TRUE(s);
  Genotype a(s->decisions().size(), 0);  // 2 transformer layers
  Genotype b = a;
  b[decision(*s, "layer3.block")] = 2;
  b[decision(*s, "layer4.heads")] = 1;
  EXPECT_EQ(s->canonicalize(a), s->canonicalize(b));
  // A recurrent layer ignores heads, FFN ratio and attention.
  Genotype c = a, d = a;
  c[decision(*s, "layer2.block")] = d[decision(*s, "layer2.block")] = 1;  // lstm
  d[decision(*s, "layer2.heads")] = 1;
  d[decision(*s, "layer2.attention")] = 2;
  EXPECT_EQ(s->canonicalize(c), s->canonicalize(d));
  // The same settings matter on a transformer layer.
  Genotype e = a;
  e[decision(*s, "layer2.attention")] = 2;
  EXPECT_NE(s->canonicalize(a), s->canonicalize(e));
}

TEST(SequenceSpaces, MacsOfAHandCountedNetwork) {
  auto s = write_and_load("hand_counted_sequence",
                          "name: hand\nkind: sequence\ninput: {height: 4, width: 4, channels: 1}\n"
                          "tokens: {from: rows}\nembed: 8\nlayers: 1\n"
                          "layer: {block: [lstm, gru, rnn]}\npool: last\nclasses: 2\n");
  ASSERT_TRUE(s);
  const auto macs = [&](int block) {
    auto arch = s->decode(Genotype{block});
    EXPECT_TRUE(arch.is_ok());
    auto spec = graph::build_network_spec(arch.value(), 1);
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    return spec.value().total_cost().macs;
  };
  // 4 rows of 4 features -> 8; the final layer norm scales 4 x 8 values
  // by gamma; the last step -> 2 classes.
  const int64_t embed = 4 * 4 * 8, norm = 4 * 8, fc = 8 * 2;
  EXPECT_EQ(macs(0), embed + 4 * 4 * 8 * (8 + 8) + norm + fc);  // LSTM: T*4H*(I+H)
  EXPECT_EQ(macs(1), embed + 4 * 3 * 8 * (8 + 8) + norm + fc);  // GRU: 3 gates
  EXPECT_EQ(macs(2), embed + 4 * 1 * 8 * (8 + 8) + norm + fc);  // tanh RNN: 1 gate
}

TEST(SequenceSpaces, DecodedArchitecturesSurviveTheArchitectureFile) {
  for (const char* name : {"vit_tiny", "rnn_seq"}) {
    SCOPED_TRACE(name);
    auto s = load_shipped(name);
    ASSERT_TRUE(s);
    train::Rng rng(23);
    for (int i = 0; i < 5; ++i) testing::check_architecture_file(*s, sample_uniform(*s, rng));
  }
}

TEST(SequenceSpaces, SmallNetworksRunForward) {
  train::Rng rng(9);
  for (const char* name : {"vit_tiny", "rnn_seq"}) {
    SCOPED_TRACE(name);
    auto s = load_shipped(name);
    ASSERT_TRUE(s);
    for (int i = 0; i < 3; ++i) check_forward(*s, sample_uniform(*s, rng), 2, 10);
  }
  // Every block type and attention variant at least once.
  auto vit = load_shipped("vit_tiny");
  ASSERT_TRUE(vit);
  Genotype g(vit->decisions().size(), 0);
  g[decision(*vit, "layers")] = 2;  // 4 layers
  for (int j = 1; j <= 4; ++j) g[decision(*vit, "layer" + std::to_string(j) + ".block")] = j - 1;
  check_forward(*vit, g, 2, 10);
  for (int a = 0; a < 3; ++a) {
    g[decision(*vit, "layer1.block")] = 0;
    g[decision(*vit, "layer1.attention")] = a;
    check_forward(*vit, g, 1, 10);
  }
}

}  // namespace
}  // namespace nas::space::sequence
