// Every file in tests/nas/space/sequence/bad/ is a malformed sequence space that
// states the exact diagnostics it must produce (tests/nas/testing/golden_files.h).
#include <gtest/gtest.h>

#include "nas/space/space_loader.h"
#include "tests/nas/config/test_paths.h"
#include "tests/nas/testing/golden_files.h"

namespace nas::space::sequence {
namespace {

constexpr const char* kBadDir = "tests/nas/space/sequence/bad";

class BadSequenceSpace : public ::testing::TestWithParam<std::string> {};

TEST_P(BadSequenceSpace, ReportsExactlyTheExpectedDiagnostics) {
  config::testing::enter_repo_root();
  const std::string path = std::string(kBadDir) + "/" + GetParam();
  const std::string want = nas::testing::expected_diagnostics(path);
  ASSERT_FALSE(want.empty()) << path << " has no '# expect:' first line";
  config::Diagnostics diags;
  EXPECT_EQ(load_space(path, diags), nullptr);
  EXPECT_EQ(nas::testing::diagnostics_text(diags), want);
}

INSTANTIATE_TEST_SUITE_P(BadSequenceSpaces, BadSequenceSpace,
                         ::testing::ValuesIn(nas::testing::golden_files(kBadDir)),
                         nas::testing::golden_test_name);

// Guards against the suite silently shrinking (a moved folder would make
// the parameterised test above vanish instead of fail).
TEST(BadSequenceSpaces, FolderHoldsEveryCase) {
  EXPECT_GE(nas::testing::golden_files(kBadDir).size(), 8u);
}

}  // namespace
}  // namespace nas::space::sequence
