// Reading `kind: cell` space files. Every problem is a file:line:col
// diagnostic in the experiment loader's language; nothing throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>

#include "nas/config/yaml_reader.h"
#include "nas/space/cell/cell_config.h"
#include "nas/space/space.h"

namespace nas::space::cell {

// The config of a whole top-level map (name, kind, ...); nullopt after at
// least one diagnostic.
std::optional<CellConfig> read_cell_config(config::YamlSource& src, const YAML::Node& root);

// Loads a space file of kind cell by path (for tests and tools that want to
// change the network before building the space, e.g. a smaller DARTS).
std::optional<CellConfig> load_cell_config(const std::string& path, config::Diagnostics& diagnostics);

}  // namespace nas::space::cell

namespace nas::space {

// The loader registered for `kind: cell` in space_loader.cc.
std::unique_ptr<Space> load_cell_space(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space
