// Reading `kind: macro` space files. Every problem is a file:line:col
// diagnostic in the experiment loader's language; nothing throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>

#include "nas/config/yaml_reader.h"
#include "nas/space/macro/macro_config.h"
#include "nas/space/space.h"

namespace nas::space::macro {

// The config of a whole top-level map (name, kind, ...); nullopt after at
// least one diagnostic.
std::optional<MacroConfig> read_macro_config(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space::macro

namespace nas::space {

// The loader registered for `kind: macro` in space_loader.cc.
std::unique_ptr<Space> load_macro_space(config::YamlSource& src, const YAML::Node& root);

}  // namespace nas::space
