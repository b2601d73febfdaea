#include "nas/config/architecture.h"

#include <algorithm>
#include <map>
#include <set>

#include "nas/config/yaml_reader.h"

namespace nas::config {
namespace {

// The node keys besides the OpAttrs fields.
const std::vector<std::string> kAttrKeys = {
    "out_channels", "kernel",   "stride",   "padding",         "dilation",     "groups",
    "bias",         "eps",      "momentum", "probability",     "label_smoothing",
    "se_reduction", "shuffle_groups",       "split_sizes",     "shape",     "activation",   "heads",
    "window",       "causal",   "vocab",    "hidden"};

const std::vector<std::string> kActivations = {"none",    "relu", "relu6", "hswish",
                                               "swish",   "sigmoid", "tanh", "gelu"};

std::optional<bool> read_bool(MapReader& r, std::string_view key) {
  if (!r.has(key)) return std::nullopt;
  const YAML::Node v = r.get(key);
  if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false")) return v.Scalar() == "true";
  r.source().error(r.value_location(key),
                   r.key_path(key) + ": expected true or false, got " + describe(v));
  return std::nullopt;
}

void read_attrs(MapReader& r, ops::OpAttrs& a) {
  auto int_attr = [&](std::string_view key, auto& out, IntBounds b) {
    if (auto v = r.integer(key, Need::kOptional, b)) out = static_cast<std::decay_t<decltype(out)>>(v->value);
  };
  auto num_attr = [&](std::string_view key, float& out, NumberBounds b) {
    if (auto v = r.number(key, Need::kOptional, b)) out = static_cast<float>(v->value);
  };
  int_attr("out_channels", a.out_channels, IntBounds::at_least(1));
  int_attr("kernel", a.kernel, IntBounds::at_least(1));
  int_attr("stride", a.stride, IntBounds::at_least(1));
  int_attr("padding", a.padding, IntBounds::at_least(-1));
  int_attr("dilation", a.dilation, IntBounds::at_least(1));
  int_attr("groups", a.groups, IntBounds::at_least(-1));
  if (auto b = read_bool(r, "bias")) a.bias = *b;
  num_attr("eps", a.eps, NumberBounds::above(0));
  num_attr("momentum", a.momentum, NumberBounds::between(0, 1));
  num_attr("probability", a.probability, NumberBounds::between(0, 1));
  num_attr("label_smoothing", a.label_smoothing, NumberBounds::between(0, 1));
  int_attr("se_reduction", a.se_reduction, IntBounds::at_least(1));
  int_attr("shuffle_groups", a.shuffle_groups, IntBounds::at_least(1));
  if (auto list = r.list("split_sizes", Need::kOptional)) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto v = read_integer(r.source(), (*list)[i], r.key_path("split_sizes") + "[" + std::to_string(i) + "]",
                            r.value_location("split_sizes"), IntBounds::at_least(1));
      if (v) a.split_sizes.push_back(v->value);
    }
  }
  if (auto list = r.list("shape", Need::kOptional)) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto v = read_integer(r.source(), (*list)[i], r.key_path("shape") + "[" + std::to_string(i) + "]",
                            r.value_location("shape"), IntBounds::at_least(1));
      if (v) a.shape.push_back(v->value);
    }
  }
  if (auto c = r.choice("activation", Need::kOptional, kActivations))
    a.activation = static_cast<ops::Activation>(c->value);
  int_attr("heads", a.heads, IntBounds::at_least(1));
  int_attr("window", a.window, IntBounds::at_least(0));
  if (auto b = read_bool(r, "causal")) a.causal = *b;
  int_attr("vocab", a.vocab, IntBounds::at_least(1));
  int_attr("hidden", a.hidden, IntBounds::at_least(1));
}

}  // namespace

std::optional<Architecture> load_architecture(const std::string& path,
                                              const std::vector<std::string>& op_names,
                                              Diagnostics& diagnostics) {
  const size_t errors_before = diagnostics.size();
  YamlSource src(path, diagnostics);
  const std::optional<YAML::Node> document =
      load_yaml_map(src, "architecture", "keys name, input, nodes and output");
  if (!document) return std::nullopt;
  const YAML::Node& root = *document;
  Architecture arch;
  arch.source = path;
  MapReader top(src, root, "", "architecture", {path, 1, 1}, {"name", "input", "nodes", "output"});
  if (auto n = top.string("name", Need::kRequired)) arch.name = *n;
  if (auto input = top.list("input", Need::kRequired)) {
    if (input->size() != 3) {
      src.error(top.value_location("input"),
                "input: expected [height, width, channels], got a list of " + std::to_string(input->size()));
    } else {
      int64_t* dims[3] = {&arch.height, &arch.width, &arch.channels};
      for (size_t i = 0; i < 3; ++i)
        if (auto v = read_integer(src, (*input)[i], "input[" + std::to_string(i) + "]",
                                  top.value_location("input"), IntBounds::at_least(1)))
          *dims[i] = v->value;
    }
  }
  std::map<std::string, size_t> index;  // node name -> position
  if (auto nodes = top.list("nodes", Need::kRequired)) {
    if (nodes->size() == 0) src.error(top.value_location("nodes"), "nodes: expected at least one node");
    for (size_t i = 0; i < nodes->size(); ++i) {
      const YAML::Node n = (*nodes)[i];
      const std::string what = "nodes[" + std::to_string(i) + "]";
      const Location where = n.Mark().is_null() ? top.value_location("nodes") : src.at(n.Mark());
      if (!n.IsMap()) {
        src.error(where, what + ": expected a map, got " + describe(n));
        continue;
      }
      std::vector<std::string> keys = {"name", "op", "inputs"};
      keys.insert(keys.end(), kAttrKeys.begin(), kAttrKeys.end());
      MapReader r(src, n, what, what, where, keys);
      ArchitectureNode node;
      node.where = where;
      if (auto v = r.string("name", Need::kRequired)) {
        node.name = *v;
        if (v->value == "input") src.error(v->where, what + ".name: 'input' names the network input");
        else if (index.count(v->value)) src.error(v->where, what + ".name: duplicate node name '" + v->value + "'");
      }
      if (auto v = r.string("op", Need::kRequired)) {
        node.op = *v;
        if (std::find(op_names.begin(), op_names.end(), v->value) == op_names.end())
          src.error(v->where, what + ".op: " + unknown_name("op", "ops", v->value, op_names));
      }
      if (auto list = r.list("inputs", Need::kOptional)) {
        for (size_t k = 0; k < list->size(); ++k) {
          auto ref = read_string(src, (*list)[k], what + ".inputs[" + std::to_string(k) + "]",
                                 r.value_location("inputs"));
          if (!ref) continue;
          const std::string base = ref->value.substr(0, ref->value.find(':'));
          if (base != "input" && !index.count(base)) {
            std::vector<std::string> earlier = {"input"};
            for (const auto& [nm, pos] : index) earlier.push_back(nm);
            src.error(ref->where, what + ".inputs[" + std::to_string(k) + "]: " +
                                      unknown_name("earlier node", "earlier nodes", base, earlier));
          }
          node.inputs.push_back(*ref);
        }
      }
      read_attrs(r, node.attrs);
      if (!node.name.value.empty()) index.emplace(node.name.value, arch.nodes.size());
      arch.nodes.push_back(std::move(node));
    }
  }
  if (auto out = top.string("output", Need::kOptional)) {
    arch.output = *out;
    if (!index.count(out->value))
      src.error(out->where, "output: no node named '" + out->value + "'");
  } else if (!arch.nodes.empty()) {
    arch.output.value = arch.nodes.back().name.value;
  }
  if (diagnostics.size() > errors_before) {
    diagnostics.sort_by_location();
    return std::nullopt;
  }
  return arch;
}

}  // namespace nas::config
