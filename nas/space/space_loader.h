// Loads an op-space YAML of any kind (macro, cell, sequence); every problem
// is reported as file:line:col.
#pragma once

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "nas/config/diagnostics.h"
#include "nas/config/yaml_reader.h"
#include "nas/space/space.h"

namespace nas::space {

// The space in `path`, or null after adding every problem to `diagnostics`.
// Never throws.
std::unique_ptr<Space> load_space(const std::string& path, config::Diagnostics& diagnostics);

// Each kind's loader: reads the whole top-level map `root` of src (including
// the `name` and `kind` keys, so it can reject unknown keys), reporting into
// src. Returns null when it reported any problem.
using SpaceKindLoader = std::unique_ptr<Space> (*)(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space
