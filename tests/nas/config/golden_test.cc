// Every file in tests/nas/config/bad/ is a malformed experiment that states
// the exact diagnostics it must produce (tests/nas/testing/golden_files.h):
//   # expect: 7:3: error: unknown key 'populaton' in strategy (did you mean 'population'?)
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "nas/config/load_experiment.h"
#include "tests/nas/config/test_paths.h"
#include "tests/nas/testing/golden_files.h"

namespace nas::config {
namespace {

constexpr const char* kBadDir = "tests/nas/config/bad";

class GoldenNegative : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenNegative, ReportsExactlyTheExpectedDiagnostics) {
  testing::enter_repo_root();
  const std::string path = std::string(kBadDir) + "/" + GetParam();
  const std::string expected = nas::testing::expected_diagnostics(path);
  ASSERT_FALSE(expected.empty()) << path << " has no '# expect:' first line";
  Diagnostics diags;
  const std::optional<Experiment> exp = load_experiment(path, Catalog::defaults(), diags);
  EXPECT_FALSE(exp.has_value());
  EXPECT_EQ(nas::testing::diagnostics_text(diags), expected);
}

INSTANTIATE_TEST_SUITE_P(BadExperiments, GoldenNegative,
                         ::testing::ValuesIn(nas::testing::golden_files(kBadDir)),
                         nas::testing::golden_test_name);

// Guards against the suite silently shrinking (a moved folder would make
// the parameterised test above vanish instead of fail).
TEST(GoldenNegativeFolder, HoldsAtLeastThirtyFiles) {
  EXPECT_GE(nas::testing::golden_files(kBadDir).size(), 30u);
}

}  // namespace
}  // namespace nas::config
