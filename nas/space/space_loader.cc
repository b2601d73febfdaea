#include "nas/space/space_loader.h"

#include <utility>
#include <vector>

namespace nas::space {

// The one list of space kinds and their loaders, each defined next to its
// kind in nas/space/<kind>/. X(yaml_name, loader_function).
#define NAS_SPACE_KINDS(X) \
  X(cell, load_cell_space) \
  X(macro, load_macro_space) \
  X(sequence, load_sequence_space)

#define NAS_DECLARE_KIND(kind, fn) std::unique_ptr<Space> fn(config::YamlSource&, const YAML::Node&);
NAS_SPACE_KINDS(NAS_DECLARE_KIND)
#undef NAS_DECLARE_KIND

namespace {

const std::vector<std::pair<std::string, SpaceKindLoader>>& kinds() {
  static const std::vector<std::pair<std::string, SpaceKindLoader>> k = {
#define NAS_LIST_KIND(kind, fn) {#kind, &fn},
      NAS_SPACE_KINDS(NAS_LIST_KIND)
#undef NAS_LIST_KIND
  };
  return k;
}

}  // namespace

std::unique_ptr<Space> load_space(const std::string& path, config::Diagnostics& diagnostics) {
  config::YamlSource src(path, diagnostics);
  const auto root = config::load_yaml_map(src, "space", "keys name, kind and the kind's settings");
  if (!root) return nullptr;
  std::vector<std::string> names = {"macro", "cell", "sequence"};
  const YAML::Node kind = config::find_key(*root, "kind");
  if (!kind) {
    src.error({path, 1, 1}, "missing required key 'kind' in space (one of macro, cell, sequence)");
    return nullptr;
  }
  const std::string text = kind.IsScalar() ? kind.Scalar() : "";
  for (const auto& [name, loader] : kinds())
    if (name == text) {
      const size_t before = diagnostics.size();
      auto space = loader(src, *root);
      if (diagnostics.size() > before) {
        diagnostics.sort_by_location();
        return nullptr;
      }
      return space;
    }
  const bool known = text == "macro" || text == "cell" || text == "sequence";
  src.error(src.at(kind.Mark()),
            known ? "kind: space kind '" + text + "' is not built in this binary yet"
                  : "kind: " + config::unknown_name("space kind", "space kinds", text, names));
  return nullptr;
}

}  // namespace nas::space
