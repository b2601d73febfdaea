// Reading `kind: sequence` space files. Every problem is a file:line:col
// diagnostic in the experiment loader's language; nothing throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>

#include "nas/config/yaml_reader.h"
#include "nas/space/sequence/sequence_config.h"
#include "nas/space/space.h"

namespace nas::space::sequence {

// The config of a whole top-level map (name, kind, ...); nullopt after at
// least one diagnostic.
std::optional<SequenceConfig> read_sequence_config(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space::sequence

namespace nas::space {

// The loader registered for `kind: sequence` in space_loader.cc.
std::unique_ptr<Space> load_sequence_space(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space
