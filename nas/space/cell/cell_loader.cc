#include "nas/space/cell/cell_loader.h"

#include <map>
#include <utility>

#include "nas/space/cell/cell_space.h"
#include "nas/util/suggest.h"

namespace nas::space::cell {
namespace {

using config::IntBounds;
using config::Location;
using config::MapReader;
using config::Need;
using config::YamlSource;

const std::vector<std::string> kStepKeys = {"op",       "kernel", "stride",      "padding",
                                            "dilation", "groups", "out_channels"};

std::optional<Step> read_step(YamlSource& src, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) {
    src.error(src.at(node.Mark()), path + ": expected a map with key op (a registry op), got " +
                                       config::describe(node));
    return std::nullopt;
  }
  MapReader r(src, node, path, path, src.at(node.Mark()), kStepKeys);
  Step step;
  bool ok = true;
  if (auto op = r.string("op", Need::kRequired)) {
    if (ops::op_registry().find(op->value) == nullptr) {
      // Not the whole registry list: `nas list ops` prints it with summaries.
      const std::string close = closest_name(op->value, ops::op_registry().names());
      src.error(op->where, r.key_path("op") + ": unknown op '" + op->value + "' (" +
                               (close.empty() ? "" : "did you mean '" + close + "'? ") +
                               "`nas list ops` lists the registry ops)");
      ok = false;
    }
    step.op = op->value;
  } else {
    ok = false;
  }
  auto int_attr = [&](std::string_view key, int& out, IntBounds b) {
    if (!r.has(key)) return;
    if (auto v = r.integer(key, Need::kOptional, b)) {
      out = static_cast<int>(v->value);
    } else {
      ok = false;
    }
  };
  int_attr("kernel", step.attrs.kernel, IntBounds::at_least(1));
  if (r.has("stride")) {
    const YAML::Node v = r.get("stride");
    const bool digits = v.IsScalar() && !v.Scalar().empty() &&
                        v.Scalar().find_first_not_of("-0123456789") == std::string::npos;
    if (v.IsScalar() && v.Scalar() == "edge") {
      step.edge_stride = true;
    } else if (!digits) {
      src.error(r.value_location("stride"),
                r.key_path("stride") + ": expected an integer >= 1 or 'edge' (the edge's stride), got " +
                    config::describe(v));
      ok = false;
    } else if (auto s = config::read_integer(src, v, r.key_path("stride"), r.value_location("stride"),
                                             IntBounds::at_least(1))) {
      step.attrs.stride = static_cast<int>(s->value);
    } else {
      ok = false;
    }
  }
  int_attr("padding", step.attrs.padding, IntBounds::at_least(-1));
  int_attr("dilation", step.attrs.dilation, IntBounds::at_least(1));
  int_attr("groups", step.attrs.groups, IntBounds::at_least(-1));
  if (r.has("out_channels")) {
    if (auto v = r.integer("out_channels", Need::kOptional, IntBounds::at_least(1))) {
      step.attrs.out_channels = v->value;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return step;
}

std::optional<std::vector<Step>> read_steps(YamlSource& src, const YAML::Node& list,
                                            const std::string& path) {
  if (!list.IsSequence()) {
    src.error(src.at(list.Mark()), path + ": expected a list of steps ({op: ...}), got " +
                                       config::describe(list));
    return std::nullopt;
  }
  std::vector<Step> steps;
  bool ok = true;
  for (size_t i = 0; i < list.size(); ++i) {
    if (auto s = read_step(src, list[i], path + "[" + std::to_string(i) + "]")) {
      steps.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return steps;
}

// A composite is a list of steps, or a map {steps: [...], strided: [...]}.
std::optional<Composite> read_composite(YamlSource& src, const std::string& name,
                                        const YAML::Node& value, const Location& key_at) {
  const std::string path = "composites." + name;
  Composite c;
  c.name = name;
  if (value.IsSequence()) {
    auto steps = read_steps(src, value, path);
    if (!steps) return std::nullopt;
    c.steps = std::move(*steps);
    return c;
  }
  if (!value.IsMap()) {
    src.error(value.IsNull() ? key_at : src.at(value.Mark()),
              path + ": expected a list of steps or a map with keys steps and strided, got " +
                  config::describe(value));
    return std::nullopt;
  }
  MapReader r(src, value, path, path, key_at, {"steps", "strided"});
  bool ok = true;
  if (auto list = r.list("steps", Need::kRequired)) {
    auto steps = read_steps(src, *list, r.key_path("steps"));
    if (steps) c.steps = std::move(*steps);
    ok = ok && steps.has_value();
  } else {
    ok = false;
  }
  if (r.has("strided")) {
    auto list = r.list("strided", Need::kOptional);
    auto steps = list ? read_steps(src, *list, r.key_path("strided")) : std::nullopt;
    if (steps) c.strided = std::move(*steps);
    ok = ok && steps.has_value();
  }
  if (!ok) return std::nullopt;
  return c;
}

std::optional<std::map<std::string, Composite>> read_composites(YamlSource& src, MapReader& top) {
  auto map = top.map("composites", Need::kRequired);
  if (!map) return std::nullopt;
  std::map<std::string, Composite> out;
  std::map<std::string, Location> first_at;
  bool ok = true;
  for (auto it = map->begin(); it != map->end(); ++it) {
    const Location key_at = src.at(it->first.Mark());
    const std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
    if (name.empty()) {
      src.error(key_at, "composites: expected op names as keys, got " + config::describe(it->first));
      ok = false;
      continue;
    }
    if (auto f = first_at.find(name); f != first_at.end()) {
      src.error(key_at, "duplicate composite '" + name + "' in composites (first at " +
                            std::to_string(f->second.line) + ":" + std::to_string(f->second.column) +
                            ")");
      ok = false;
      continue;
    }
    first_at[name] = key_at;
    if (auto c = read_composite(src, name, it->second, key_at)) {
      out[name] = std::move(*c);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

bool read_input(YamlSource& src, MapReader& top, CellConfig& c) {
  if (!top.has("input")) return true;
  auto map = top.map("input", Need::kOptional);
  if (!map) return false;
  MapReader r(src, *map, "input", "input", top.key_location("input"), {"height", "width", "channels"});
  auto h = r.integer("height", Need::kRequired, IntBounds::at_least(1));
  auto w = r.integer("width", Need::kRequired, IntBounds::at_least(1));
  auto ch = r.integer("channels", Need::kRequired, IntBounds::at_least(1));
  if (!h || !w || !ch) return false;
  c.height = h->value;
  c.width = w->value;
  c.channels = ch->value;
  return true;
}

// The candidate op list: names of composites, each once.
bool read_ops(YamlSource& src, MapReader& top, const std::map<std::string, Composite>* composites,
              CellConfig& c) {
  auto list = top.list("ops", Need::kRequired);
  if (!list) return false;
  if (list->size() == 0) {
    src.error(top.value_location("ops"), "ops: expected at least one candidate op, got an empty list");
    return false;
  }
  std::vector<std::string> names;
  if (composites)
    for (const auto& [name, _] : *composites) names.push_back(name);
  std::map<std::string, size_t> seen;
  bool ok = true;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string path = "ops[" + std::to_string(i) + "]";
    const YAML::Node entry = (*list)[i];
    auto name = config::read_string(src, entry, path,
                                    entry.IsNull() ? top.value_location("ops") : src.at(entry.Mark()));
    if (!name) {
      ok = false;
      continue;
    }
    if (auto s = seen.find(name->value); s != seen.end()) {
      src.error(name->where, path + ": '" + name->value + "' is listed twice (first as ops[" +
                                 std::to_string(s->second) + "])");
      ok = false;
      continue;
    }
    seen[name->value] = i;
    if (!composites) continue;  // already reported
    auto f = composites->find(name->value);
    if (f == composites->end()) {
      src.error(name->where,
                path + ": " + config::unknown_name("composite", "composites", name->value, names));
      ok = false;
      continue;
    }
    c.ops.push_back(f->second);
  }
  return ok;
}

bool read_cell(YamlSource& src, MapReader& top, CellConfig& c, bool& topology_known) {
  topology_known = false;
  auto map = top.map("cell", Need::kRequired);
  if (!map) return false;
  MapReader r(src, *map, "cell", "cell", top.key_location("cell"),
              {"topology", "nodes", "inputs_per_node"});
  auto topology = r.choice("topology", Need::kRequired, {"all_pairs", "pick_inputs"});
  if (!topology) return false;
  topology_known = true;
  c.topology = topology->value == 0 ? Topology::kAllPairs : Topology::kPickInputs;
  const bool all_pairs = c.topology == Topology::kAllPairs;
  bool ok = true;
  if (auto n = r.integer("nodes", Need::kRequired,
                         all_pairs ? IntBounds::between(2, 8) : IntBounds::between(1, 8))) {
    c.nodes = static_cast<int>(n->value);
  } else {
    ok = false;
  }
  if (all_pairs && r.has("inputs_per_node")) {
    src.error(r.key_location("inputs_per_node"),
              "cell.inputs_per_node: only for topology pick_inputs (all_pairs nodes read every "
              "earlier node)");
    ok = false;
  } else if (!r.read("inputs_per_node", c.inputs_per_node, IntBounds::between(1, 2))) {
    ok = false;
  }
  return ok;
}

bool read_network(YamlSource& src, MapReader& top, CellConfig& c, bool topology_known) {
  if (!top.has("network")) return true;
  auto map = top.map("network", Need::kOptional);
  if (!map || !topology_known) return false;
  const bool all_pairs = c.topology == Topology::kAllPairs;
  std::vector<std::string> keys = {"init_channels", "classes"};
  if (all_pairs) {
    keys.insert(keys.end(), {"stages", "cells_per_stage"});
  } else {
    keys.insert(keys.end(), {"cells", "stem_multiplier"});
  }
  MapReader r(src, *map, "network", "network", top.key_location("network"), keys);
  bool ok = r.read("init_channels", c.init_channels, IntBounds::between(1, 4096));
  ok = r.read("classes", c.classes, IntBounds::between(2, 1000000)) && ok;
  if (all_pairs) {
    ok = r.read("stages", c.stages, IntBounds::between(1, 8)) && ok;
    ok = r.read("cells_per_stage", c.cells_per_stage, IntBounds::between(1, 64)) && ok;
  } else {
    ok = r.read("cells", c.cells, IntBounds::between(3, 64)) && ok;
    ok = r.read("stem_multiplier", c.stem_multiplier, IntBounds::between(1, 16)) && ok;
  }
  return ok;
}

// Reduction cells put stride 2 on the edges from the cell inputs: every
// candidate op must be able to downsample there.
bool check_strided(YamlSource& src, MapReader& top, const CellConfig& c) {
  if (c.topology != Topology::kPickInputs) return true;
  bool ok = true;
  for (size_t i = 0; i < c.ops.size(); ++i) {
    if (c.ops[i].is_zero()) continue;  // decode gives a zero node the edge's stride
    bool strides = false;
    for (const Step& s : c.ops[i].steps_for(2)) strides = strides || s.edge_stride;
    if (strides) continue;
    const YAML::Node entry = top.get("ops")[i];
    src.error(src.at(entry.Mark()),
              "ops[" + std::to_string(i) + "]: '" + c.ops[i].name +
                  "' cannot run on the stride-2 edges of a reduction cell: give one of its steps "
                  "'stride: edge' or give it a 'strided' list");
    ok = false;
  }
  return ok;
}

}  // namespace

std::optional<CellConfig> read_cell_config(YamlSource& src, const YAML::Node& root) {
  const size_t before = src.diagnostics().size();
  MapReader top(src, root, "", "space", Location{src.file(), 1, 1},
                {"name", "kind", "description", "input", "composites", "ops", "cell", "network"});
  CellConfig c;
  if (auto name = top.string("name", Need::kRequired)) c.name = name->value;
  if (auto d = top.string("description", Need::kOptional)) c.description = d->value;
  read_input(src, top, c);
  const auto composites = read_composites(src, top);
  read_ops(src, top, composites ? &*composites : nullptr, c);
  bool topology_known = false;
  read_cell(src, top, c, topology_known);
  read_network(src, top, c, topology_known);
  if (src.diagnostics().size() == before) check_strided(src, top, c);
  if (src.diagnostics().size() > before) return std::nullopt;
  return c;
}

std::optional<CellConfig> load_cell_config(const std::string& path, config::Diagnostics& diagnostics) {
  YamlSource src(path, diagnostics);
  const auto root = config::load_yaml_map(src, "space", "keys name, kind and the kind's settings");
  if (!root) return std::nullopt;
  auto c = read_cell_config(src, *root);
  diagnostics.sort_by_location();
  return c;
}

}  // namespace nas::space::cell

namespace nas::space {

std::unique_ptr<Space> load_cell_space(config::YamlSource& src, const YAML::Node& root) {
  auto c = cell::read_cell_config(src, root);
  if (!c) return nullptr;
  return std::make_unique<cell::CellSpace>(std::move(*c));
}

}  // namespace nas::space
