// Every file in tests/nas/space/cell/bad/ is a malformed cell space whose
// first lines state the exact diagnostics it must produce:
//   # expect: 7:3: error: unknown key 'nodse' in cell (did you mean 'nodes'?)
// (one "# expect:" line per diagnostic, in order, without the file path,
// which the test prepends as it passes the file to the loader).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nas/space/space_loader.h"
#include "tests/nas/config/test_paths.h"

namespace nas::space::cell {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBadDir = "tests/nas/space/cell/bad";
constexpr const char* kExpect = "# expect: ";

std::vector<std::string> bad_files() {
  config::testing::enter_repo_root();
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kBadDir, ec))
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string expected(const std::string& path) {
  std::ifstream in(path);
  std::string lines, line;
  while (std::getline(in, line) && line.rfind(kExpect, 0) == 0)
    lines += path + ":" + line.substr(std::string(kExpect).size()) + "\n";
  return lines;
}

class BadCellSpace : public ::testing::TestWithParam<std::string> {};

TEST_P(BadCellSpace, ReportsExactlyTheExpectedDiagnostics) {
  config::testing::enter_repo_root();
  const std::string path = std::string(kBadDir) + "/" + GetParam();
  const std::string want = expected(path);
  ASSERT_FALSE(want.empty()) << path << " has no '" << kExpect << "' first line";
  config::Diagnostics diags;
  EXPECT_EQ(load_space(path, diags), nullptr);
  std::string got;
  for (const config::Diagnostic& d : diags.items()) got += d.str() + "\n";
  EXPECT_EQ(got, want);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(BadCellSpaces, BadCellSpace, ::testing::ValuesIn(bad_files()), test_name);

// Guards against the suite silently shrinking (a moved folder would make
// the parameterised test above vanish instead of fail).
TEST(BadCellSpaces, FolderHoldsEveryCase) { EXPECT_GE(bad_files().size(), 28u); }

}  // namespace
}  // namespace nas::space::cell
