#include "nas/space/macro/macro_space.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/nas/space/macro/space_test_util.h"

namespace nas::space::macro {
namespace {

using testing::check_forward;
using testing::check_random_genotypes;
using testing::load_shipped;

std::string decimal(unsigned __int128 v) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return s;
}

unsigned __int128 power(unsigned __int128 base, int exp) {
  unsigned __int128 r = 1;
  for (int i = 0; i < exp; ++i) r *= base;
  return r;
}

const MacroSpace& as_macro(const Space& s) { return dynamic_cast<const MacroSpace&>(s); }

// Index of the decision called `name`; fails the test when absent.
int decision(const Space& s, const std::string& name) {
  for (size_t i = 0; i < s.decisions().size(); ++i)
    if (s.decisions()[i].name == name) return static_cast<int>(i);
  ADD_FAILURE() << "no decision " << name;
  return 0;
}

int choice(const Space& s, const std::string& name, const std::string& text) {
  const auto& c = s.decisions()[decision(s, name)].choices;
  for (size_t i = 0; i < c.size(); ++i)
    if (c[i] == text) return static_cast<int>(i);
  ADD_FAILURE() << name << " has no choice " << text;
  return 0;
}

TEST(MakeDivisible, MatchesMobileNet) {
  EXPECT_EQ(make_divisible(32 * 0.75, 8), 24);
  EXPECT_EQ(make_divisible(16 * 0.75, 8), 16);  // 12 rounds to 16 (ties up)
  EXPECT_EQ(make_divisible(18, 8), 24);         // 16 would lose over 10% of 18
  EXPECT_EQ(make_divisible(3, 8), 8);           // at least the divisor
  EXPECT_EQ(make_divisible(112 * 1.2, 8), 136);
}

TEST(Fbnet, HasNineToTheTwentySecondGenotypes) {
  auto s = load_shipped("fbnet");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->decisions().size(), 22u);
  for (const Decision& d : s->decisions()) EXPECT_EQ(d.choices.size(), 9u) << d.name;
  EXPECT_EQ(space_size(*s), decimal(power(9, 22)));
  EXPECT_EQ(space_size(*s), "984770902183611232881");
}

TEST(Fbnet, GroupedBlocksHalveThePointwiseConvs) {
  auto s = load_shipped("fbnet");
  ASSERT_TRUE(s);
  const auto macs = [&](const std::string& block) {
    Genotype g(s->decisions().size(), choice(*s, "stage5.layer2.block", "skip"));
    g[decision(*s, "stage5.layer2.block")] = choice(*s, "stage5.layer2.block", block);
    auto spec = graph::build_network_spec(s->decode(g).value(), 1);
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    return spec.value().total_cost().macs;
  };
  // Stage 5, layer 2: 14x14, 112 -> 112. k3_e1 keeps FBNet's expanding 1x1
  // conv (112 -> 112) beside the projection; g2 halves both.
  const int64_t pointwise = 14 * 14 * 112 * 112;
  EXPECT_EQ(macs("k3_e1") - macs("skip"), 2 * pointwise + 14 * 14 * 112 * 9);
  EXPECT_EQ(macs("k3_e1") - macs("k3_e1_g2"), pointwise);
  EXPECT_EQ(macs("k5_e6") - macs("skip"), 2 * 6 * pointwise + 14 * 14 * 112 * 6 * 25);
}

TEST(OfaMobilenetV3, CountMatchesItsDefinition) {
  // 4 resolutions; 5 stages each: depth {2,3,4} and, for each of the 4
  // layer slots, kernel {3,5,7} x expand {3,4,6} (one genotype per slot,
  // whether or not the depth reaches it).
  auto s = load_shipped("ofa_mobilenetv3");
  ASSERT_TRUE(s);
  EXPECT_EQ(space_size(*s), decimal(4 * power(3 * power(9, 4), 5)));
  auto small = load_shipped("ofa_mobilenetv3_small");
  ASSERT_TRUE(small);
  EXPECT_EQ(space_size(*small), decimal(3 * power(3 * power(9, 4), 5)));
}

TEST(MacroSpaces, RandomGenotypesDecodeBuildAndCostAsTheirOps) {
  for (const char* name : {"mobilenet_tiny", "ofa_mobilenetv3", "ofa_mobilenetv3_small", "fbnet"}) {
    SCOPED_TRACE(name);
    auto s = load_shipped(name);
    ASSERT_TRUE(s);
    check_random_genotypes(*s, 200, as_macro(*s).config().head.classes, 11);
  }
}

TEST(MacroSpaces, CanonicalStringReadsAsTheNetwork) {
  auto s = load_shipped("mobilenet_tiny");
  ASSERT_TRUE(s);
  const Genotype zero(s->decisions().size(), 0);
  EXPECT_EQ(s->canonical_string(zero),
            "r28-w0.75|s1:mbconv,k3,e1,g1,w16,d1,s1,relu,se0"
            "|s2:mbconv,k3,e2,g1,w24,d1,s2,relu,se0|s3:mbconv,k3,e2,g1,w48,d1,s2,relu,se0");
  auto fb = load_shipped("fbnet");
  ASSERT_TRUE(fb);
  Genotype g(fb->decisions().size(), 8);  // every layer skip
  g[decision(*fb, "stage2.layer2.block")] = choice(*fb, "stage2.layer2.block", "k5_e1_g2");
  const std::string text = fb->canonical_string(g);
  EXPECT_NE(text.find("|s2:skip/k5_e1_g2/skip/skip,k3,e1,g1,w24,d4,s2,relu,se0|"), std::string::npos)
      << text;
  auto back = fb->parse(text);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back.value(), g);
}

TEST(MacroSpaces, ParseRejectsMalformedStrings) {
  auto s = load_shipped("mobilenet_tiny");
  ASSERT_TRUE(s);
  const std::string good = s->canonical_string(Genotype(s->decisions().size(), 0));
  EXPECT_TRUE(s->parse(good).is_ok());
  const auto error = [&](const std::string& text) {
    auto r = s->parse(text);
    return r.is_ok() ? std::string("parsed") : r.status().message();
  };
  EXPECT_NE(error("r28-w0.75").find("expected 4 '|'-separated parts, got 1"), std::string::npos);
  std::string bad = good;
  bad.replace(bad.find("|s2:mbconv,k3") + 11, 2, "k7");
  EXPECT_NE(error(bad).find("stage 2 kernel: '7' is not a choice (choices: 3, 5)"), std::string::npos)
      << error(bad);
  bad = good;
  bad.replace(bad.find("w16"), 3, "w17");
  EXPECT_NE(error(bad).find("width: '17' is not a choice (choices: 16)"), std::string::npos) << error(bad);
  bad = good;
  bad.replace(bad.find("r28"), 3, "x28");
  EXPECT_NE(error(bad).find("resolution: expected 'r...', got 'x28'"), std::string::npos) << error(bad);
  bad = good;
  bad.replace(bad.find("|s2:"), 4, "|s9:");
  EXPECT_NE(error(bad).find("stage 2 should start with 's2:'"), std::string::npos) << error(bad);
  EXPECT_NE(error(good + ",x").find("expected 9 ','-separated fields, got 10"), std::string::npos);
}

TEST(MacroSpaces, CanonicalizeMakesDepthMaskedDuplicatesEqual) {
  auto s = load_shipped("ofa_mobilenetv3");
  ASSERT_TRUE(s);
  Genotype a(s->decisions().size(), 1);
  a[decision(*s, "stage3.depth")] = choice(*s, "stage3.depth", "2");
  Genotype b = a;
  b[decision(*s, "stage3.layer3.kernel")] = 2;
  b[decision(*s, "stage3.layer4.expand")] = 0;
  EXPECT_NE(a, b);
  EXPECT_EQ(s->canonicalize(a), s->canonicalize(b));
  EXPECT_EQ(s->canonicalize(a)[decision(*s, "stage3.layer3.kernel")], 0);
  EXPECT_EQ(s->canonicalize(a)[decision(*s, "stage3.layer2.kernel")], 1);  // active: kept
  // A layer within the depth is not masked.
  Genotype c = a;
  c[decision(*s, "stage3.layer2.kernel")] = 2;
  EXPECT_NE(s->canonicalize(a), s->canonicalize(c));
  // Deeper: the same change now matters.
  Genotype d = a, e = b;
  d[decision(*s, "stage3.depth")] = e[decision(*s, "stage3.depth")] = choice(*s, "stage3.depth", "4");
  EXPECT_NE(s->canonicalize(d), s->canonicalize(e));
}

TEST(MacroSpaces, CanonicalizeIgnoresSettingsABlockDoesNotRead) {
  auto s = load_shipped("mobilenet_tiny");
  ASSERT_TRUE(s);
  // A basic block ignores the expansion ratio; mbconv reads it.
  Genotype a(s->decisions().size(), 0);
  a[decision(*s, "stage1.block")] = choice(*s, "stage1.block", "basic");
  Genotype b = a;
  b[decision(*s, "stage1.expand")] = 1;
  EXPECT_EQ(s->canonicalize(a), s->canonicalize(b));
  Genotype c = b;
  c[decision(*s, "stage1.block")] = choice(*s, "stage1.block", "mbconv");
  Genotype d = c;
  d[decision(*s, "stage1.expand")] = 0;
  EXPECT_NE(s->canonicalize(c), s->canonicalize(d));
}

// A space small enough to count its MACs by hand.
TEST(MacroSpaces, MacsOfAHandCountedNetwork) {
  config::testing::enter_repo_root();
  const std::string path = ::testing::TempDir() + "/hand_counted_macro.yaml";
  std::ofstream(path) << "name: hand\nkind: macro\ninput: {channels: 1, resolution: 8}\n"
                         "stem: {width: 8, kernel: 3, stride: 1}\n"
                         "stages:\n"
                         "  - {block: [conv, mbconv], kernel: 3, expand: 2, width: 8, depth: 1, stride: 1}\n"
                         "head: {classes: 2}\n";
  config::Diagnostics diags;
  auto s = load_space(path, diags);
  ASSERT_TRUE(s) << diags.str();
  const auto macs = [&](int block) {
    auto arch = s->decode(Genotype{block});
    auto spec = graph::build_network_spec(arch.value(), 1);
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    return spec.value().total_cost().macs;
  };
  const int64_t stem = 8 * 8 * 8 * 9 * 1, fc = 8 * 2;
  EXPECT_EQ(macs(0), stem + 8 * 8 * 8 * 9 * 8 + fc);  // conv 3x3 8->8
  // mbconv: expand 1x1 8->16, depthwise 3x3 on 16, project 1x1 16->8.
  EXPECT_EQ(macs(1), stem + 64 * 8 * 16 + 64 * 16 * 9 + 64 * 16 * 8 + fc);
}

TEST(MacroSpaces, DecodedArchitecturesSurviveTheArchitectureFile) {
  for (const char* name : {"mobilenet_tiny", "ofa_mobilenetv3", "fbnet"}) {
    SCOPED_TRACE(name);
    auto s = load_shipped(name);
    ASSERT_TRUE(s);
    train::Rng rng(21);
    for (int i = 0; i < 3; ++i) testing::check_architecture_file(*s, sample_uniform(*s, rng));
  }
}

TEST(MacroSpaces, SmallNetworksRunForward) {
  auto tiny = load_shipped("mobilenet_tiny");
  ASSERT_TRUE(tiny);
  train::Rng rng(5);
  for (int i = 0; i < 3; ++i) check_forward(*tiny, sample_uniform(*tiny, rng), 2, 10);
  check_forward(*tiny, Genotype(tiny->decisions().size(), 1), 1, 10);
  auto small = load_shipped("ofa_mobilenetv3_small");
  ASSERT_TRUE(small);
  check_forward(*small, sample_uniform(*small, rng), 2, 10);
  auto fb = load_shipped("fbnet");
  ASSERT_TRUE(fb);
  Genotype g = sample_uniform(*fb, rng);
  check_forward(*fb, g, 1, 1000);
}

}  // namespace
}  // namespace nas::space::macro
