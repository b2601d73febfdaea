// Durable file writes: the content goes to a temporary file in the same
// folder, is flushed to disk, and is renamed over the target, so a reader
// (or a resume after kill -9) sees the old file or the new one, never half.
#pragma once

#include <filesystem>
#include <string>

#include "ops/core/status.h"

namespace nas {

Status write_file_atomic(const std::filesystem::path& path, const std::string& content);

// fsync of a folder, so that a rename inside it survives a crash.
Status sync_directory(const std::filesystem::path& dir);

}  // namespace nas
