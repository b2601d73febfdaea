#include <algorithm>

#include "nas/config/section_readers.h"

namespace nas::config {

std::optional<size_t> read_section_name(YamlSource& src, const YAML::Node& map,
                                        const std::string& section, const std::string& kinds,
                                        const Location& where,
                                        const std::vector<std::string>& catalog_names,
                                        const std::vector<std::string>& schema_names) {
  // Without a usable name the section's other keys cannot be judged, so
  // they are left alone rather than all reported as unknown.
  const YAML::Node name_node = find_key(map, "name");
  if (!name_node.IsDefined()) {
    src.error(where, "missing required key 'name' in " + section);
    return std::nullopt;
  }
  const std::string path = section + ".name";
  const auto name = read_string(src, name_node, path, where);
  if (!name) return std::nullopt;
  if (std::find(catalog_names.begin(), catalog_names.end(), name->value) == catalog_names.end()) {
    src.error(name->where, path + ": " + unknown_name(section, kinds, name->value, catalog_names));
    return std::nullopt;
  }
  const auto it = std::find(schema_names.begin(), schema_names.end(), name->value);
  if (it == schema_names.end()) {
    // The binary registered a name this loader has no schema for: a build
    // mismatch, reported rather than asserted so the user sees which name.
    src.error(name->where, path + ": " + section + " '" + name->value +
                               "' is registered but nas/config has no settings schema for it");
    return std::nullopt;
  }
  return static_cast<size_t>(it - schema_names.begin());
}

}  // namespace nas::config
