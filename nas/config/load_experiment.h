// Reads and validates an experiment YAML in one pass.
#pragma once

#include <optional>
#include <string>

#include "nas/config/catalog.h"
#include "nas/config/diagnostics.h"
#include "nas/config/experiment.h"
#include "ops/core/status.h"

namespace nas::config {

// Parses `path` into an Experiment, checking every key, type, range, name
// (against `catalog`) and referenced file (the space, hardware profiles, the
// dataset folder, a tabular evaluator's table). Relative paths inside the file
// are resolved against the file's folder.
//
// Returns the experiment, or nullopt after adding to `diagnostics` every
// problem of the file, sorted in file order. Diagnostics name the file as
// `path` was given. Never throws (yaml-cpp's parse errors become diagnostics).
// Reads the hardware profiles named by the experiment, but only their
// top-level `name:` key.
std::optional<Experiment> load_experiment(const std::string& path, const Catalog& catalog,
                                          Diagnostics& diagnostics);

// The same; on failure the Status message is Diagnostics::str(), one
// "file:line:col: error: ..." line per problem.
Result<Experiment> load_experiment(const std::string& path, const Catalog& catalog);

}  // namespace nas::config
