#include "nas/util/paths.h"

#include <cstdlib>
#include <system_error>

namespace nas {
namespace fs = std::filesystem;

namespace {
bool is_root(const fs::path& p) {
  std::error_code ec;
  return !p.empty() && fs::is_directory(p / "search_spaces", ec);
}
}  // namespace

fs::path data_root() {
  if (const char* home = std::getenv("NAS_HOME"); home != nullptr && is_root(home)) return home;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      if (is_root(p)) return p;
    }
  }
#ifdef NAS_SOURCE_DIR
  if (is_root(NAS_SOURCE_DIR)) return NAS_SOURCE_DIR;
#endif
  return {};
}

}  // namespace nas
