// A folder published whole: filled in a hidden sibling, flushed, then renamed
// into place, so an interrupted writer leaves the old folder or none, never
// half a folder.
#pragma once

#include <filesystem>
#include <functional>

#include "ops/core/status.h"

namespace nas {

// Creates `dir` with the files `fill` writes into the folder it is given.
// An existing `dir` is an error unless `replace`, in which case it is removed
// only once the new folder is in place. On failure nothing is left behind.
Status create_folder_atomically(const std::filesystem::path& dir, bool replace,
                                const std::function<Status(const std::filesystem::path&)>& fill);

}  // namespace nas
