#include "nas/space/macro/choice_field.h"

#include <cmath>

namespace nas::space {
namespace {

// One scalar of a field: its text and value, or nullopt after a diagnostic.
struct Scalar {
  std::string text;
  double value = 0;
};

std::optional<Scalar> read_scalar(config::YamlSource& src, const YAML::Node& node,
                                  const std::string& path, const config::Location& where,
                                  const FieldKind& kind) {
  using Type = FieldKind::Type;
  switch (kind.type) {
    case Type::kInteger: {
      const auto v = config::read_integer(src, node, path, where, kind.int_bounds);
      if (!v) return std::nullopt;
      if (kind.odd && v->value % 2 == 0) {
        src.error(v->where, path + ": expected an odd integer, got " + std::to_string(v->value));
        return std::nullopt;
      }
      return Scalar{std::to_string(v->value), static_cast<double>(v->value)};
    }
    case Type::kNumber: {
      const auto v = config::read_number(src, node, path, where, kind.number_bounds);
      if (!v) return std::nullopt;
      return Scalar{node.Scalar(), v->value};
    }
    case Type::kFlag: {
      const std::string text = node.IsScalar() ? node.Scalar() : "";
      if (text == "true" || text == "1") return Scalar{"1", 1};
      if (text == "false" || text == "0") return Scalar{"0", 0};
      src.error(node.IsScalar() ? src.at(node.Mark()) : where,
                path + ": expected true, false, 0 or 1, got " + config::describe(node));
      return std::nullopt;
    }
    case Type::kName: {
      const auto v = config::read_string(src, node, path, where);
      if (!v) return std::nullopt;
      for (size_t i = 0; i < kind.names.size(); ++i)
        if (kind.names[i] == v->value) return Scalar{v->value, static_cast<double>(i)};
      src.error(v->where,
                path + ": " + config::unknown_name(kind.name_kind, kind.name_kinds, v->value, kind.names));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

FieldKind integer_field(config::IntBounds bounds, bool odd) {
  FieldKind k;
  k.type = FieldKind::Type::kInteger;
  k.int_bounds = bounds;
  k.odd = odd;
  return k;
}

FieldKind number_field(config::NumberBounds bounds) {
  FieldKind k;
  k.type = FieldKind::Type::kNumber;
  k.number_bounds = bounds;
  return k;
}

FieldKind name_field(std::vector<std::string> valid, std::string kind, std::string kinds) {
  FieldKind k;
  k.type = FieldKind::Type::kName;
  k.names = std::move(valid);
  k.name_kind = std::move(kind);
  k.name_kinds = std::move(kinds);
  return k;
}

FieldKind flag_field() {
  FieldKind k;
  k.type = FieldKind::Type::kFlag;
  return k;
}

std::optional<ChoiceField> read_choice_field(config::MapReader& map, const std::string& key,
                                             const std::string& prefix, const FieldKind& kind,
                                             const std::optional<std::string>& fallback) {
  config::YamlSource& src = map.source();
  ChoiceField f;
  f.key = key;
  f.prefix = prefix;
  const bool named = kind.type == FieldKind::Type::kName;
  if (!map.has(key)) {
    if (!fallback) {
      map.missing(key);
      return std::nullopt;
    }
    // Defaults are written by the schema, so they are valid by construction.
    f.texts = {*fallback};
    if (!named) f.values = {std::stod(*fallback)};
    return f;
  }
  const YAML::Node node = map.get(key);
  const std::string path = map.key_path(key);
  f.where = map.value_location(key);
  std::vector<YAML::Node> items;
  if (node.IsSequence()) {
    if (node.size() == 0) {
      src.error(f.where, path + ": expected at least one choice, got an empty list");
      return std::nullopt;
    }
    for (const auto& item : node) items.push_back(item);
  } else {
    items.push_back(node);
  }
  bool ok = true;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = node.IsSequence() ? path + "[" + std::to_string(i) + "]" : path;
    const auto s = read_scalar(src, items[i], item_path, f.where, kind);
    if (!s) {
      ok = false;
      continue;
    }
    bool duplicate = false;
    for (size_t j = 0; j < f.texts.size(); ++j)
      duplicate = duplicate || f.texts[j] == s->text || (!named && f.values[j] == s->value);
    if (duplicate) {
      src.error(src.at(items[i].Mark()), item_path + ": duplicate choice " + s->text);
      ok = false;
      continue;
    }
    f.texts.push_back(s->text);
    if (!named) f.values.push_back(s->value);
  }
  if (!ok) return std::nullopt;
  return f;
}

void add_decisions(ChoiceField& field, const std::string& scope, int max_depth,
                   std::vector<Decision>& decisions) {
  const int slots = field.per_layer ? max_depth : 1;
  field.decisions.assign(slots, -1);
  if (field.texts.size() < 2) return;
  for (int s = 0; s < slots; ++s) {
    std::string name = scope.empty() ? "" : scope + ".";
    if (field.per_layer) name += "layer" + std::to_string(s + 1) + ".";
    field.decisions[s] = static_cast<int>(decisions.size());
    decisions.push_back(Decision{name + field.key, field.texts});
  }
}

int pick(const ChoiceField& field, const Genotype& g, int layer, std::vector<char>* used) {
  const int d = field.decisions[field.per_layer ? layer : 0];
  if (d < 0) return 0;
  if (used) (*used)[d] = 1;
  return g[d];
}

std::string field_text(const ChoiceField& field, const Genotype& g) {
  std::string s = field.prefix;
  for (size_t slot = 0; slot < field.decisions.size(); ++slot) {
    const int d = field.decisions[slot];
    s += (slot ? "/" : "") + field.texts[d < 0 ? 0 : g[d]];
  }
  return s;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Status parse_field(const ChoiceField& field, std::string_view text, Genotype& g) {
  if (text.substr(0, field.prefix.size()) != field.prefix)
    return Status::error(field.key + ": expected '" + field.prefix + "...', got '" +
                         std::string(text) + "'");
  const auto parts = split(text.substr(field.prefix.size()), '/');
  if (parts.size() != field.decisions.size())
    return Status::error(field.key + ": expected " + std::to_string(field.decisions.size()) +
                         " value(s), got " + std::to_string(parts.size()) + " in '" +
                         std::string(text) + "'");
  for (size_t slot = 0; slot < parts.size(); ++slot) {
    int found = -1;
    for (size_t c = 0; c < field.texts.size(); ++c)
      if (field.texts[c] == parts[slot]) found = static_cast<int>(c);
    if (found < 0) {
      std::string valid;
      for (const auto& t : field.texts) valid += (valid.empty() ? "" : ", ") + t;
      return Status::error(field.key + ": '" + std::string(parts[slot]) +
                           "' is not a choice (choices: " + valid + ")");
    }
    if (field.decisions[slot] >= 0) g[field.decisions[slot]] = found;
  }
  return Status::ok();
}

}  // namespace nas::space
