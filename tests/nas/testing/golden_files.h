// Golden negative files: each malformed input's first lines state the exact
// diagnostics it must produce,
//   # expect: 7:3: error: unknown key 'nodse' in cell (did you mean 'nodes'?)
// one "# expect:" line per diagnostic, in order, without the file path, which
// the test prepends as it passes the file (by its repo-relative path) to the loader.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nas/config/diagnostics.h"

namespace nas::testing {

// The *.yaml file names in `folder` (relative to the repo root), sorted;
// makes the repo root the working directory first.
std::vector<std::string> golden_files(const std::string& folder);

// The expected diagnostics of `path`, one "path:<expect line>\n" each.
std::string expected_diagnostics(const std::string& path);

// The diagnostics as the same text, one "str()\n" each.
std::string diagnostics_text(const config::Diagnostics& diagnostics);

// A test name from a golden file name ("bad-key.yaml" -> "bad_key").
std::string golden_test_name(const ::testing::TestParamInfo<std::string>& info);

}  // namespace nas::testing
