// Internal to nas/config: readers of the experiment sections whose keys
// depend on a name (strategy, evaluator). Each reports its problems through
// the top-level reader's source and returns nullopt when any was found.
#pragma once

#include <optional>

#include "nas/config/catalog.h"
#include "nas/config/experiment.h"
#include "nas/config/yaml_reader.h"

namespace nas::config {

std::optional<StrategySpec> read_strategy(MapReader& top, const Catalog& catalog);
std::optional<EvaluatorSpec> read_evaluator(MapReader& top, const Catalog& catalog);

// For a section whose valid keys depend on its `name:` (strategy,
// evaluator): reads the name first, checks it against the catalog's names
// and the names that have a schema, and returns the index into
// `schema_names`; nullopt after reporting the problem. `section` is the key
// ("strategy"), `kinds` its plural for the list of valid names.
std::optional<size_t> read_section_name(YamlSource& src, const YAML::Node& map,
                                        const std::string& section, const std::string& kinds,
                                        const Location& where,
                                        const std::vector<std::string>& catalog_names,
                                        const std::vector<std::string>& schema_names);

}  // namespace nas::config
