#include "tests/nas/testing/golden_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "tests/nas/config/test_paths.h"

namespace nas::testing {
namespace fs = std::filesystem;

namespace {
constexpr const char* kExpect = "# expect: ";
}  // namespace

std::vector<std::string> golden_files(const std::string& folder) {
  config::testing::enter_repo_root();
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string expected_diagnostics(const std::string& path) {
  std::ifstream in(path);
  std::string lines, line;
  while (std::getline(in, line) && line.rfind(kExpect, 0) == 0)
    lines += path + ":" + line.substr(std::string(kExpect).size()) + "\n";
  return lines;
}

std::string diagnostics_text(const config::Diagnostics& diagnostics) {
  std::string got;
  for (const config::Diagnostic& d : diagnostics.items()) got += d.str() + "\n";
  return got;
}

std::string golden_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace nas::testing
