#include "nas/util/atomic_folder.h"

#include <unistd.h>

#include <system_error>

#include "nas/util/atomic_file.h"

namespace nas {
namespace fs = std::filesystem;

Status create_folder_atomically(const fs::path& dir, bool replace,
                                const std::function<Status(const fs::path&)>& fill) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (exists && !replace) return Status::error("failed to create folder " + dir.string() + ": it exists");
  if (exists && !fs::is_directory(dir, ec))
    return Status::error("failed to create folder " + dir.string() + ": a file is in the way");
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return Status::error("failed to create folder " + parent.string() + ": " + ec.message());
  const std::string stem = dir.filename().string(), pid = std::to_string(::getpid());
  const fs::path tmp = parent / ("." + stem + ".new" + pid);
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) return Status::error("failed to create folder " + tmp.string() + ": " + ec.message());
  auto fail = [&](Status s) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    return s;
  };
  if (Status s = fill(tmp); !s) return fail(s);
  if (Status s = sync_directory(tmp); !s) return fail(s);
  fs::path old;
  if (exists) {  // move the old folder aside first, delete it last
    old = parent / ("." + stem + ".old" + pid);
    fs::remove_all(old, ec);
    fs::rename(dir, old, ec);
    if (ec) return fail(Status::error("failed to move aside " + dir.string() + ": " + ec.message()));
  }
  fs::rename(tmp, dir, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, dir, ec);
    return fail(Status::error("failed to create folder " + dir.string() + ": " + ec.message()));
  }
  if (Status s = sync_directory(parent); !s) return s;
  if (!old.empty()) fs::remove_all(old, ec);
  return Status::ok();
}

}  // namespace nas
