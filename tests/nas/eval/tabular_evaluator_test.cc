// The tabular evaluator and its CSV: look-ups, a genotype missing from the
// table, and the exact diagnostics of malformed tables.
#include <gtest/gtest.h>

#include "nas/config/experiment.h"
#include "nas/eval/evaluator.h"
#include "nas/eval/metric_table.h"
#include "nas/eval/tabular_evaluator.h"
#include "tests/nas/eval/eval_test_support.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::eval {
namespace {

using testing::TempDir;

// A CSV field: quoted, with inner quotes doubled.
std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

class TabularTest : public ::testing::Test {
 protected:
  void SetUp() override { space_ = testing::load_tiny_space(dir_.path()); }
  std::string arch(const space::Genotype& g) const { return space_->canonical_string(g); }
  // The diagnostics of parsing `text` as "t.csv", or "" when it parses.
  std::string errors_of(const std::string& text) const {
    config::Diagnostics d;
    auto t = MetricTable::parse("t.csv", text, *space_, d);
    EXPECT_EQ(t.has_value(), d.empty());
    return d.str();
  }
  EvalResult look_up(TabularEvaluator& e, const space::Genotype& g) const {
    const std::string canonical = arch(g);
    auto decoded = space_->decode(g);
    NAS_CHECK(decoded.is_ok());
    EvalRequest r;
    r.genotype = &g;
    r.canonical = &canonical;
    r.architecture = &decoded.value();
    return e.evaluate(r);
  }

  TempDir dir_;
  std::unique_ptr<space::Space> space_;
};

TEST_F(TabularTest, TinySpaceHasCommasInItsCanonicalStrings) {
  // The table format must quote: this is what the tests below rely on.
  EXPECT_NE(arch({0, 0, 0}).find(','), std::string::npos) << arch({0, 0, 0});
}

TEST_F(TabularTest, LooksUpEveryColumnAndFailsOnAMissingGenotype) {
  const std::string text = "# synthetic numbers written by this test\n"
                           "arch,accuracy,loss,flops_m\n" +
                           quoted(arch({0, 0, 0})) + ",0.25,1.5,3\n\n" + quoted(arch({1, 1, 1})) +
                           ",0.875,0.25,7.5\r\n";
  config::Diagnostics d;
  auto table = MetricTable::parse("t.csv", text, *space_, d);
  ASSERT_TRUE(table) << d.str();
  EXPECT_EQ(table->size(), 2u);
  EXPECT_EQ(table->columns(), (std::vector<std::string>{"accuracy", "loss", "flops_m"}));
  TabularEvaluator e(std::move(*table), *space_);
  EXPECT_GT(e.preferred_parallelism(), 1);

  const EvalResult hit = look_up(e, {1, 1, 1});
  ASSERT_TRUE(hit.ok) << hit.error;
  EXPECT_EQ(hit.metrics, (std::map<std::string, double>{
                             {"accuracy", 0.875}, {"loss", 0.25}, {"flops_m", 7.5}}));
  const EvalResult miss = look_up(e, {1, 0, 1});
  EXPECT_FALSE(miss.ok);
  EXPECT_EQ(miss.error, "not in table: " + arch({1, 0, 1}));
  EXPECT_TRUE(miss.metrics.empty());
}

TEST_F(TabularTest, MakeEvaluatorLoadsTheExperimentsTable) {
  const std::string path = dir_.path() + "/table.csv";
  testing::write_text(path, "arch,accuracy\n" + quoted(arch({0, 1, 0})) + ",0.5\n");
  config::Experiment experiment;
  config::TabularConfig tabular;
  tabular.table.value = path;
  experiment.evaluator.config = tabular;
  EvaluatorContext context{&experiment, space_.get(), false};
  auto e = make_evaluator(context);
  ASSERT_TRUE(e) << e.status().message();
  const space::Genotype g{0, 1, 0};
  const std::string canonical = arch(g);
  auto decoded = space_->decode(g);
  EvalRequest r{0, &g, &canonical, &decoded.value(), 7};
  const EvalResult got = e.value()->evaluate(r);
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.metrics.at("accuracy"), 0.5);

  // A bad table fails make_evaluator with its diagnostics.
  testing::write_text(path, "arch,accuracy\n" + quoted(arch({0, 1, 0})) + ",high\n");
  auto bad = make_evaluator(context);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().message(),
            path + ":2:" + std::to_string(quoted(arch({0, 1, 0})).size() + 2) +
                ": error: column 'accuracy': expected a finite number, got 'high'");
  std::filesystem::remove(path);
  auto missing = make_evaluator(context);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().message(), path + ": error: failed to open the table");
}

TEST_F(TabularTest, HeaderErrors) {
  EXPECT_EQ(errors_of(""),
            "t.csv: error: empty table (expected a header line arch,accuracy[,...] and rows)");
  EXPECT_EQ(errors_of("# only a comment\n\n"),
            "t.csv: error: empty table (expected a header line arch,accuracy[,...] and rows)");
  EXPECT_EQ(errors_of("genotype,accuracy\n"),
            "t.csv:1:1: error: the first column must be 'arch' (the canonical genotype string), "
            "got 'genotype'");
  EXPECT_EQ(errors_of("arch,loss\n"),
            "t.csv:1:1: error: no 'accuracy' column (expected a header like arch,accuracy[,...])");
  EXPECT_EQ(errors_of("arch,accuracy,loss,loss,val acc\n"),
            "t.csv:1:20: error: duplicate column 'loss'\n"
            "t.csv:1:25: error: bad column name 'val acc' (expected a metric name of letters, "
            "digits, '_', '@', '.', '-')");
  EXPECT_EQ(errors_of("arch,accuracy\n"), "t.csv:1:1: error: the table has a header but no rows");
}

TEST_F(TabularTest, RowErrorsAreAllReportedWithLineAndColumn) {
  const std::string a = quoted(arch({0, 0, 0}));
  const std::string b = quoted(arch({0, 0, 1}));
  const std::string text = "arch,accuracy,loss\n" +       // line 1
                           a + ",0.5,1\n" +               // 2: fine
                           a + ",0.6,1\n" +               // 3: duplicate
                           b + ",91.5,1\n" +              // 4: a percentage
                           b + ",0.5\n" +                 // 5: too few fields
                           b + ",0.5,1,2\n" +             // 6: too many
                           "bogus,0.5,nan\n" +            // 7: bad arch, non-finite
                           "\"unterminated,0.5,1\n" +     // 8
                           b + "x,0.5,1\n" +              // 9: text after the quote
                           "ab\"c,0.5,1\n";               // 10: quote in unquoted field
  const std::string got = errors_of(text);
  auto parse_error = space_->parse("bogus");
  ASSERT_FALSE(parse_error);
  const std::string expected =
      "t.csv:3:1: error: duplicate arch '" + arch({0, 0, 0}) + "' (first at line 2)\n" +
      "t.csv:4:" + std::to_string(b.size() + 2) + ": error: accuracy must be a fraction in [0, 1] (not a percentage), got 91.5\n" +
      "t.csv:5:" + std::to_string(b.size() + 5) + ": error: expected 3 fields like the header, got 2\n" +
      "t.csv:6:" + std::to_string(b.size() + 8) + ": error: expected 3 fields like the header, got 4\n" +
      "t.csv:7:1: error: " + parse_error.status().message() + "\n" +
      "t.csv:7:11: error: column 'loss': expected a finite number, got 'nan'\n" +
      "t.csv:8:1: error: unterminated quoted field (expected a closing '\"' on the same line)\n" +
      "t.csv:9:" + std::to_string(b.size() + 1) +
      ": error: unexpected character 'x' after a quoted field (expected ',' or the end of the line)\n" +
      "t.csv:10:3: error: a '\"' inside an unquoted field (quote the whole field and double the '\"')";
  EXPECT_EQ(got, expected);
}

TEST_F(TabularTest, SpellingsOfTheSameGenotypeShareARow) {
  // The space re-prints each arch, so a row is found by the canonical string.
  const std::string canonical = arch({1, 0, 1});
  config::Diagnostics d;
  auto table = MetricTable::parse("t.csv", "arch,accuracy\n" + quoted(canonical) + ",0.75\n",
                                  *space_, d);
  ASSERT_TRUE(table) << d.str();
  ASSERT_NE(table->find(canonical), nullptr);
  EXPECT_EQ(table->find(canonical)->at("accuracy"), 0.75);
}

TEST_F(TabularTest, ManyErrorsAreCapped) {
  std::string text = "arch,accuracy\n";
  for (int i = 0; i < 25; ++i) text += "bogus" + std::to_string(i) + ",0.5\n";
  config::Diagnostics d;
  EXPECT_FALSE(MetricTable::parse("t.csv", text, *space_, d));
  ASSERT_EQ(d.size(), MetricTable::kMaxErrors + 1);
  EXPECT_EQ(d.items().back().str(),
            "t.csv: error: 5 more errors not shown (fix the ones above first)");
}

}  // namespace
}  // namespace nas::eval
