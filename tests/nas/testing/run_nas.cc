#include "tests/nas/testing/run_nas.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nas::testing {
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

std::string source_dir() {
  const char* env = std::getenv("NAS_SOURCE_DIR");
  return env != nullptr ? env : NAS_SOURCE_DIR_PATH;
}

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "nas_test_XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ProcessResult run_nas(const std::string& args, const std::string& cwd) {
  const char* binary = std::getenv("NAS_BINARY");
  if (binary == nullptr) binary = NAS_BINARY_PATH;  // the build tree's binary
  TempDir io;
  const std::string out = io.path() + "/out", err = io.path() + "/err";
  std::string cmd;
  if (!cwd.empty()) cmd = "cd '" + cwd + "' && ";
  cmd += std::string("'") + binary + "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string read_file(const std::string& path) { return slurp(path); }

}  // namespace nas::testing
