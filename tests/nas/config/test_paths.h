// Tests of nas/config read fixtures by paths relative to the repo root, as
// users pass paths relative to their working directory; diagnostics then
// name files exactly as the golden files expect.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace nas::config::testing {

// Makes the repo root the working directory: ctest already runs there; a
// binary started by hand finds it through NAS_SOURCE_DIR.
inline void enter_repo_root() {
  if (const char* root = std::getenv("NAS_SOURCE_DIR"); root != nullptr && *root != '\0') {
    std::filesystem::current_path(root);
  }
}

inline constexpr const char* kDir = "tests/nas/config";

}  // namespace nas::config::testing
