// The run folder runs/NAME/: created whole or not at all.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "ops/core/status.h"

namespace nas {

enum class RunFolderMode {
  kCreate,  // refuse an existing folder
  kResume,  // the folder must exist and hold config.yaml; nothing is written
  kForce,   // replace an existing folder (removed only once the new one is in place)
};

// The file that marks a folder as a run folder and holds the resolved config.
inline constexpr const char* kRunConfigFile = "config.yaml";

// Prepares `dir` per `mode`. For kCreate / kForce the `files` (name, content)
// are written into a sibling temporary folder, flushed, and the folder is
// renamed into place, so an interrupted call leaves no partial run folder.
// Errors name the folder and say which flag would help.
Status prepare_run_folder(const std::filesystem::path& dir, RunFolderMode mode,
                          const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace nas
