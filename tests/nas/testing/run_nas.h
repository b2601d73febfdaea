// Runs the built `nas` binary ($NAS_BINARY, or the build tree's) and
// captures its exit code, stdout and stderr.
#pragma once

#include <string>

namespace nas::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `args` is appended to the binary's path and run by /bin/sh in `cwd` (empty: the current
// folder), with stdin from /dev/null.
ProcessResult run_nas(const std::string& args, const std::string& cwd = "");

// The whole content of a file, byte for byte ("" when it cannot be read).
std::string read_file(const std::string& path);

// The source checkout ($NAS_SOURCE_DIR, or the one this test was built from).
std::string source_dir();

// A fresh empty temporary folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nas::testing
