// Every file in tests/nas/config/bad/ is a malformed experiment whose first
// lines state the exact diagnostics it must produce:
//   # expect: 7:3: error: unknown key 'populaton' in strategy (did you mean 'population'?)
// (one "# expect:" line per diagnostic, in order, without the file path,
// which the test prepends as it passes the file to the loader).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nas/config/load_experiment.h"
#include "tests/nas/config/test_paths.h"

namespace nas::config {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBadDir = "tests/nas/config/bad";
constexpr const char* kExpect = "# expect: ";

std::vector<std::string> bad_files() {
  testing::enter_repo_root();
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kBadDir, ec)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> expected_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line) && line.rfind(kExpect, 0) == 0) {
    lines.push_back(path + ":" + line.substr(std::string(kExpect).size()));
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

class GoldenNegative : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenNegative, ReportsExactlyTheExpectedDiagnostics) {
  testing::enter_repo_root();
  const std::string path = std::string(kBadDir) + "/" + GetParam();
  const std::vector<std::string> expected = expected_lines(path);
  ASSERT_FALSE(expected.empty()) << path << " has no '" << kExpect << "' first line";

  Diagnostics diags;
  const std::optional<Experiment> exp = load_experiment(path, Catalog::defaults(), diags);
  EXPECT_FALSE(exp.has_value());
  std::vector<std::string> actual;
  for (const Diagnostic& d : diags.items()) actual.push_back(d.str());
  EXPECT_EQ(joined(actual), joined(expected));
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(BadExperiments, GoldenNegative, ::testing::ValuesIn(bad_files()),
                         test_name);

// Guards against the suite silently shrinking (a moved folder would make
// the parameterised test above vanish instead of fail).
TEST(GoldenNegativeFolder, HoldsAtLeastThirtyFiles) { EXPECT_GE(bad_files().size(), 30u); }

}  // namespace
}  // namespace nas::config
