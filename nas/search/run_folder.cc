#include "nas/search/run_folder.h"

#include <unistd.h>

#include <system_error>

#include "nas/util/atomic_file.h"

namespace nas {
namespace fs = std::filesystem;

Status prepare_run_folder(const fs::path& dir, RunFolderMode mode,
                          const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (mode == RunFolderMode::kResume) {
    if (!exists) return Status::error("failed to resume run " + dir.string() + ": no such run folder");
    if (!fs::exists(dir / kRunConfigFile, ec))
      return Status::error("failed to resume run " + dir.string() + ": not a run folder (no " +
                           kRunConfigFile + ")");
    return Status::ok();
  }
  if (exists && mode == RunFolderMode::kCreate)
    return Status::error("failed to create run folder " + dir.string() +
                         ": it exists (use --resume to continue that run or --force to replace it)");
  if (exists && !fs::is_directory(dir, ec))
    return Status::error("failed to create run folder " + dir.string() + ": a file is in the way");

  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return Status::error("failed to create folder " + parent.string() + ": " + ec.message());
  const std::string stem = dir.filename().string();
  const std::string pid = std::to_string(::getpid());
  const fs::path tmp = parent / ("." + stem + ".new" + pid);
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) return Status::error("failed to create folder " + tmp.string() + ": " + ec.message());
  auto fail = [&](Status s) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    return s;
  };
  for (const auto& [name, content] : files) {
    if (Status s = write_file_atomic(tmp / name, content); !s) return fail(s);
  }

  fs::path old;
  if (exists) {  // kForce: move the old run aside first, delete it last
    old = parent / ("." + stem + ".old" + pid);
    fs::remove_all(old, ec);
    fs::rename(dir, old, ec);
    if (ec) return fail(Status::error("failed to move aside " + dir.string() + ": " + ec.message()));
  }
  fs::rename(tmp, dir, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, dir, ec);
    return fail(Status::error("failed to create run folder " + dir.string() + ": " + ec.message()));
  }
  if (Status s = sync_directory(parent); !s) return s;
  if (!old.empty()) fs::remove_all(old, ec);
  return Status::ok();
}

}  // namespace nas
