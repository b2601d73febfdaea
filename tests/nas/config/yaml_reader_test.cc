// The checked-read toolkit on its own: bounds wording, number and integer
// forms, and the key checks other loaders (spaces, profiles) will rely on.
#include "nas/config/yaml_reader.h"

#include <gtest/gtest.h>

namespace nas::config {
namespace {

// Reads `yaml` as the map of a file "t.yaml" with the given valid keys.
struct Fixture {
  explicit Fixture(const std::string& yaml, std::vector<std::string> keys)
      : root(YAML::Load(yaml)),
        src("dir/t.yaml", diags),
        reader(src, root, "m", "m", src.at(root.Mark()), std::move(keys)) {}
  Diagnostics diags;
  YAML::Node root;
  YamlSource src;
  MapReader reader;
};

TEST(YamlReader, BoundsDescribeThemselves) {
  EXPECT_EQ(IntBounds{}.describe(), "an integer");
  EXPECT_EQ(IntBounds::at_least(2).describe(), "an integer >= 2");
  EXPECT_EQ(IntBounds::between(1, 16).describe(), "an integer between 1 and 16");
  EXPECT_EQ(IntBounds::between(1, 8, "population").describe(),
            "an integer between 1 and population (8)");
  EXPECT_EQ(NumberBounds{}.describe(), "a number");
  EXPECT_EQ(NumberBounds::above(0).describe(), "a number > 0");
  EXPECT_EQ(NumberBounds::at_least(0).describe(), "a number >= 0");
  EXPECT_EQ(NumberBounds::between(0, 1).describe(), "a number between 0 and 1");
  EXPECT_EQ(NumberBounds::between(0.005, 2.5).describe(), "a number between 0.005 and 2.5");
  NumberBounds half_open = NumberBounds::above(0);
  half_open.max = 1;
  EXPECT_EQ(half_open.describe(), "a number > 0 and <= 1");
}

TEST(YamlReader, NumberForms) {
  Fixture f("{a: 1e-3, b: +5, c: .5, d: -2, e: inf, f: 1e400, g: 0x10, h: true}",
            {"a", "b", "c", "d", "e", "f", "g", "h"});
  MapReader& r = f.reader;
  EXPECT_DOUBLE_EQ(r.number("a", Need::kRequired)->value, 1e-3);
  EXPECT_DOUBLE_EQ(r.number("b", Need::kRequired)->value, 5.0);
  EXPECT_DOUBLE_EQ(r.number("c", Need::kRequired)->value, 0.5);
  EXPECT_DOUBLE_EQ(r.number("d", Need::kRequired)->value, -2.0);
  for (const char* bad : {"e", "f", "g", "h"}) {
    EXPECT_FALSE(r.number(bad, Need::kRequired).has_value()) << bad;
  }
  EXPECT_EQ(f.diags.size(), 4u);
  EXPECT_EQ(f.diags.items()[0].str(), "dir/t.yaml:1:35: error: m.e: expected a number, got 'inf'");
}

TEST(YamlReader, IntegerForms) {
  Fixture f("{a: 7, b: +3, c: -0, d: 9223372036854775807, e: 9223372036854775808, f: 1.0, g: 1e3}",
            {"a", "b", "c", "d", "e", "f", "g"});
  MapReader& r = f.reader;
  EXPECT_EQ(r.integer("a", Need::kRequired)->value, 7);
  EXPECT_EQ(r.integer("b", Need::kRequired)->value, 3);
  EXPECT_EQ(r.integer("c", Need::kRequired)->value, 0);
  EXPECT_EQ(r.integer("d", Need::kRequired)->value, 9223372036854775807LL);
  EXPECT_FALSE(r.integer("e", Need::kRequired, IntBounds::at_least(0)).has_value());
  EXPECT_FALSE(r.integer("f", Need::kRequired).has_value());
  EXPECT_FALSE(r.integer("g", Need::kRequired).has_value());
  ASSERT_EQ(f.diags.size(), 3u);
  EXPECT_EQ(f.diags.items()[0].message, "m.e: expected an integer >= 0, got 9223372036854775808");
  EXPECT_EQ(f.diags.items()[1].message, "m.f: expected an integer, got '1.0'");
}

TEST(YamlReader, IntFieldsRejectValuesPastIntMax) {
  Fixture f("{n: 2147483648, ok: 2147483647}", {"n", "ok"});
  int n = 5;
  int ok = 0;
  EXPECT_FALSE(f.reader.read("n", n, IntBounds::at_least(1)));
  EXPECT_EQ(n, 5);  // keeps its default
  EXPECT_TRUE(f.reader.read("ok", ok, IntBounds::at_least(1)));
  EXPECT_EQ(ok, 2147483647);
  EXPECT_EQ(f.diags.str(),
            "dir/t.yaml:1:5: error: m.n: expected an integer <= 2147483647, got 2147483648");
}

TEST(YamlReader, AbsentOptionalKeysAreSilentAndKeepDefaults) {
  Fixture f("{a: 1}", {"a", "b"});
  double b = 0.25;
  EXPECT_TRUE(f.reader.read("b", b, NumberBounds::between(0, 1)));
  EXPECT_EQ(b, 0.25);
  EXPECT_FALSE(f.reader.string("b", Need::kOptional).has_value());
  EXPECT_TRUE(f.diags.empty());
  EXPECT_FALSE(f.reader.string("b", Need::kRequired).has_value());
  EXPECT_EQ(f.diags.str(), "dir/t.yaml:1:1: error: missing required key 'b' in m");
}

TEST(YamlReader, KeyChecksSuggestListAndRejectDuplicates) {
  Fixture f("name: a\nnmae: b\nsample: 1\nsampel: 2\nzzz: 3\nname: c\n",
            {"name", "sample", "population"});
  EXPECT_EQ(f.diags.str(),
            "dir/t.yaml:2:1: error: unknown key 'nmae' in m (did you mean 'name'?)\n"
            "dir/t.yaml:4:1: error: unknown key 'sampel' in m (did you mean 'sample'?)\n"
            "dir/t.yaml:5:1: error: unknown key 'zzz' in m (valid keys: name, sample, population)\n"
            "dir/t.yaml:6:1: error: duplicate key 'name' in m (first at 1:1)");
  EXPECT_EQ(f.reader.string("name", Need::kRequired)->value, "a");  // the first one wins
  EXPECT_EQ(f.reader.key_location("sample").str(), "dir/t.yaml:3:1");
  EXPECT_EQ(f.reader.value_location("sample").str(), "dir/t.yaml:3:9");
}

TEST(YamlReader, MissingKeyIsNotReportedTwiceAfterATypo) {
  Fixture f("{populaton: 3}", {"population"});
  f.reader.integer("population", Need::kRequired);
  EXPECT_EQ(f.diags.size(), 1u);
}

TEST(YamlReader, ChoiceSuggestsTheClosestOption) {
  Fixture f("{opt: adamw, bad: Adam, list: [1]}", {"opt", "bad", "list"});
  const std::vector<std::string> options = {"sgd", "adam", "adamw"};
  EXPECT_EQ(f.reader.choice("opt", Need::kRequired, options)->value, 2u);
  EXPECT_FALSE(f.reader.choice("bad", Need::kRequired, options).has_value());
  EXPECT_FALSE(f.reader.choice("list", Need::kRequired, options).has_value());
  EXPECT_EQ(f.diags.str(),
            "dir/t.yaml:1:19: error: m.bad: expected one of sgd, adam, adamw, got 'Adam' (did you "
            "mean 'adam'?)\n"
            "dir/t.yaml:1:31: error: m.list: expected one of sgd, adam, adamw, got a list");
}

TEST(YamlReader, PathsResolveAgainstTheFileFolder) {
  Fixture f("{rel: ../x/./y.yaml, abs: /tmp/../etc/z, here: w}", {"rel", "abs", "here"});
  EXPECT_EQ(f.reader.path("rel", Need::kRequired, PathKind::kUnchecked)->value, "x/y.yaml");
  EXPECT_EQ(f.reader.path("abs", Need::kRequired, PathKind::kUnchecked)->value, "/etc/z");
  EXPECT_EQ(f.reader.path("here", Need::kRequired, PathKind::kUnchecked)->value, "dir/w");
  EXPECT_TRUE(f.diags.empty());
}

TEST(YamlReader, UnknownNameWording) {
  EXPECT_EQ(unknown_name("metric", "metrics", "acuracy", {"accuracy", "loss"}),
            "unknown metric 'acuracy' (did you mean 'accuracy'? valid metrics: accuracy, loss)");
  EXPECT_EQ(unknown_name("hardware", "hardware", "pi", {}),
            "unknown hardware 'pi' (no hardware are available)");
}

}  // namespace
}  // namespace nas::config
