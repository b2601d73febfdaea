#include "nas/space/macro/macro_loader.h"

#include "nas/space/macro/macro_space.h"

namespace nas::space::macro {
namespace {

using config::IntBounds;
using config::MapReader;
using config::Need;
using config::NumberBounds;

const IntBounds kKernel = IntBounds::between(1, 11);
const IntBounds kGroups = IntBounds::between(1, 64);
const IntBounds kStride = IntBounds::between(1, 2);
const NumberBounds kExpand = NumberBounds::between(1, 16);

// One named activation (not a list): stem and head.
bool read_activation(MapReader& map, std::string& out) {
  if (!map.has("activation")) return true;
  const auto a = map.choice("activation", Need::kOptional, kActivationNames);
  if (!a) return false;
  out = kActivationNames[a->value];
  return true;
}

// Groups must split every width, and widths are multiples of round_to.
bool check_groups(config::YamlSource& src, const std::string& path, const ChoiceField& groups,
                  int round_to) {
  for (double g : groups.values) {
    if (round_to % static_cast<int>(g) != 0) {
      src.error(groups.where, path + ": " + std::to_string(static_cast<int>(g)) +
                                  " does not divide round_to (" + std::to_string(round_to) +
                                  "), so a grouped conv could not split every width");
      return false;
    }
  }
  return true;
}

std::optional<NamedBlock> read_named_block(config::YamlSource& src, const std::string& name,
                                           const YAML::Node& node, const config::Location& where,
                                           int round_to) {
  const std::string path = "blocks." + name;
  if (!node.IsMap()) {
    src.error(where, path + ": expected a map, got " + config::describe(node));
    return std::nullopt;
  }
  MapReader m(src, node, path, path, where, {"block", "kernel", "expand", "groups", "keep_expand"});
  NamedBlock b;
  b.name = name;
  bool ok = true;
  std::vector<std::string> types(kBlockTypeNames.begin(), kBlockTypeNames.end());
  if (const auto t = m.choice("block", Need::kRequired, types)) {
    b.type = static_cast<BlockType>(t->value);
  } else {
    ok = false;
  }
  ok = m.read("kernel", b.kernel, kKernel) && ok;
  ok = m.read("expand", b.expand, kExpand) && ok;
  ok = m.read("groups", b.groups, kGroups) && ok;
  if (m.has("keep_expand")) {
    const auto k = m.choice("keep_expand", Need::kOptional, {"false", "true"});
    if (k) b.keep_expand = k->value == 1;
    else ok = false;
  }
  if (b.kernel > 0 && b.kernel % 2 == 0) {
    src.error(m.value_location("kernel"),
              path + ".kernel: expected an odd integer, got " + std::to_string(b.kernel));
    ok = false;
  }
  if (b.groups > 0 && round_to % b.groups != 0) {
    src.error(m.value_location("groups"), path + ".groups: " + std::to_string(b.groups) +
                                              " does not divide round_to (" +
                                              std::to_string(round_to) +
                                              "), so a grouped conv could not split every width");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return b;
}

std::optional<StageConfig> read_stage(config::YamlSource& src, const YAML::Node& node, size_t i,
                                      const config::Location& where,
                                      const std::vector<std::string>& block_names, int round_to) {
  const std::string path = "stages[" + std::to_string(i) + "]";
  if (!node.IsMap()) {
    src.error(where, path + ": expected a map, got " + config::describe(node));
    return std::nullopt;
  }
  MapReader m(src, node, path, path, where,
              {"block", "kernel", "expand", "groups", "width", "depth", "stride", "activation", "se",
               "per_layer"});
  StageConfig s;
  bool ok = true;
  const auto read = [&](ChoiceField& out, const std::string& key, const std::string& prefix,
                        const FieldKind& kind, std::optional<std::string> fallback) {
    auto f = read_choice_field(m, key, prefix, kind, fallback);
    if (f) out = std::move(*f);
    ok = ok && f.has_value();
  };
  read(s.block, "block", "", name_field(block_names, "block type", "block types"), std::nullopt);
  read(s.kernel, "kernel", "k", integer_field(kKernel, true), "3");
  read(s.expand, "expand", "e", number_field(kExpand), "1");
  read(s.groups, "groups", "g", integer_field(kGroups), "1");
  read(s.width, "width", "w", integer_field(IntBounds::between(1, 4096)), std::nullopt);
  read(s.depth, "depth", "d", integer_field(IntBounds::between(1, 32)), std::nullopt);
  read(s.stride, "stride", "s", integer_field(kStride), std::nullopt);
  read(s.activation, "activation", "", name_field(kActivationNames, "activation", "activations"),
       "relu");
  read(s.se, "se", "se", flag_field(), "0");
  if (ok) ok = check_groups(src, m.key_path("groups"), s.groups, round_to);
  if (const auto list = m.list("per_layer", Need::kOptional)) {
    const std::vector<std::string> allowed = {"block", "kernel", "expand", "groups", "activation",
                                              "se"};
    for (size_t j = 0; j < list->size(); ++j) {
      const std::string item_path = m.key_path("per_layer") + "[" + std::to_string(j) + "]";
      const YAML::Node item = (*list)[j];
      const auto name = config::read_string(src, item, item_path, src.at(item.Mark()));
      if (!name) {
        ok = false;
        continue;
      }
      ChoiceField* target = nullptr;
      for (ChoiceField* f : s.fields())
        if (f->key == name->value) target = f;
      bool allowed_key = false;
      for (const auto& a : allowed) allowed_key = allowed_key || a == name->value;
      if (!target || !allowed_key) {
        src.error(name->where,
                  item_path + ": " + config::unknown_name("per-layer key", "per-layer keys",
                                                          name->value, allowed));
        ok = false;
        continue;
      }
      target->per_layer = true;
    }
  } else if (m.has("per_layer")) {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return s;
}

}  // namespace

int StageConfig::max_depth() const {
  double d = 0;
  for (double v : depth.values) d = std::max(d, v);
  return static_cast<int>(d);
}

std::vector<ChoiceField*> StageConfig::fields() {
  return {&block, &kernel, &expand, &groups, &width, &depth, &stride, &activation, &se};
}

std::vector<const ChoiceField*> StageConfig::fields() const {
  return {&block, &kernel, &expand, &groups, &width, &depth, &stride, &activation, &se};
}

std::optional<MacroConfig> read_macro_config(config::YamlSource& src, const YAML::Node& root) {
  MapReader top(src, root, "", "macro space", config::Location{src.file(), 1, 1},
                {"name", "kind", "description", "input", "width_multiplier", "round_to", "se_gate",
                 "blocks", "stem", "stages", "head"});
  MacroConfig c;
  c.file = src.file();
  bool ok = true;
  if (const auto n = top.string("name", Need::kRequired)) c.name = n->value; else ok = false;
  if (const auto d = top.string("description", Need::kOptional)) c.description = d->value;
  else ok = ok && !top.has("description");
  ok = top.read("round_to", c.round_to, IntBounds::between(1, 64)) && ok;
  if (top.has("se_gate")) {
    const auto g = top.choice("se_gate", Need::kOptional, {"sigmoid", "hsigmoid"});
    if (g) c.se_op = g->value == 0 ? "squeeze_excitation" : "squeeze_excitation_hsigmoid";
    else ok = false;
  }
  if (auto w = read_choice_field(top, "width_multiplier", "w",
                                 number_field(NumberBounds::between(0.05, 8)), "1.0")) {
    c.width_multiplier = std::move(*w);
  } else {
    ok = false;
  }

  if (const auto in = top.map("input", Need::kRequired)) {
    MapReader m(src, *in, "input", "input", top.key_location("input"), {"channels", "resolution"});
    if (const auto ch = m.integer("channels", Need::kRequired, IntBounds::between(1, 1024)))
      c.channels = ch->value;
    else
      ok = false;
    if (auto r = read_choice_field(m, "resolution", "r", integer_field(IntBounds::between(1, 4096)),
                                   std::nullopt))
      c.resolution = std::move(*r);
    else
      ok = false;
  } else {
    ok = false;
  }

  if (const auto st = top.map("stem", Need::kRequired)) {
    MapReader m(src, *st, "stem", "stem", top.key_location("stem"),
                {"width", "kernel", "stride", "activation"});
    if (const auto w = m.integer("width", Need::kRequired, IntBounds::between(1, 4096)))
      c.stem.width = w->value;
    else
      ok = false;
    ok = m.read("kernel", c.stem.kernel, kKernel) && ok;
    if (c.stem.kernel % 2 == 0) {
      src.error(m.value_location("kernel"),
                "stem.kernel: expected an odd integer, got " + std::to_string(c.stem.kernel));
      ok = false;
    }
    ok = m.read("stride", c.stem.stride, kStride) && ok;
    ok = read_activation(m, c.stem.activation) && ok;
  } else {
    ok = false;
  }

  std::vector<std::string> block_names(kBlockTypeNames.begin(), kBlockTypeNames.end());
  if (const auto blocks = top.map("blocks", Need::kOptional)) {
    for (const auto& kv : *blocks) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const config::Location at = src.at(kv.first.Mark());
      bool clash = false;
      for (const auto& n : block_names) clash = clash || n == name;
      if (name.empty() || clash) {
        src.error(at, "blocks: '" + name + "' is already a block type name (choose another)");
        ok = false;
        continue;
      }
      // The name is known even when its settings are wrong, so stages
      // using it do not get a second, misleading error.
      block_names.push_back(name);
      if (auto b = read_named_block(src, name, kv.second, at, c.round_to))
        c.blocks.push_back(*b);
      else
        ok = false;
    }
  } else if (top.has("blocks")) {
    ok = false;
  }

  if (const auto stages = top.list("stages", Need::kRequired)) {
    if (stages->size() == 0) {
      src.error(top.value_location("stages"), "stages: expected at least one stage, got an empty list");
      ok = false;
    }
    for (size_t i = 0; i < stages->size(); ++i) {
      const YAML::Node s = (*stages)[i];
      const config::Location at = s.IsNull() ? top.value_location("stages") : src.at(s.Mark());
      if (auto stage = read_stage(src, s, i, at, block_names, c.round_to))
        c.stages.push_back(std::move(*stage));
      else
        ok = false;
    }
  } else {
    ok = false;
  }

  if (const auto h = top.map("head", Need::kRequired)) {
    MapReader m(src, *h, "head", "head", top.key_location("head"),
                {"width", "hidden", "activation", "dropout", "classes"});
    if (const auto n = m.integer("classes", Need::kRequired, IntBounds::between(1, 100000)))
      c.head.classes = n->value;
    else
      ok = false;
    if (const auto w = m.integer("width", Need::kOptional, IntBounds::between(0, 8192)))
      c.head.width = w->value;
    else
      ok = ok && !m.has("width");
    if (const auto w = m.integer("hidden", Need::kOptional, IntBounds::between(0, 8192)))
      c.head.hidden = w->value;
    else
      ok = ok && !m.has("hidden");
    ok = read_activation(m, c.head.activation) && ok;
    ok = m.read("dropout", c.head.dropout, NumberBounds{0.0, false, 1.0, true}) && ok;
  } else {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return c;
}

}  // namespace nas::space::macro

namespace nas::space {

std::unique_ptr<Space> load_macro_space(config::YamlSource& src, const YAML::Node& root) {
  auto c = macro::read_macro_config(src, root);
  if (!c) return nullptr;
  return std::make_unique<macro::MacroSpace>(std::move(*c));
}

}  // namespace nas::space
