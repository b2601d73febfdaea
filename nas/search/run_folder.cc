#include "nas/search/run_folder.h"

#include <system_error>

#include "nas/util/atomic_file.h"
#include "nas/util/atomic_folder.h"

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
  return create_folder_atomically(dir, mode == RunFolderMode::kForce, [&](const fs::path& tmp) {
    for (const auto& [name, content] : files)
      if (Status s = write_file_atomic(tmp / name, content); !s) return s;
    return Status::ok();
  });
}

}  // namespace nas
