#include "nas/space/sequence/sequence_loader.h"

#include "nas/space/sequence/sequence_space.h"

namespace nas::space::sequence {
namespace {

using config::IntBounds;
using config::MapReader;
using config::Need;
using config::NumberBounds;

}  // namespace

int SequenceConfig::max_layers() const {
  double d = 0;
  for (double v : layers.values) d = std::max(d, v);
  return static_cast<int>(d);
}

int64_t SequenceConfig::sequence_length() const {
  return tokens == Tokens::kRows ? height : (height / patch) * (width / patch);
}

std::optional<SequenceConfig> read_sequence_config(config::YamlSource& src, const YAML::Node& root) {
  MapReader top(src, root, "", "sequence space", config::Location{src.file(), 1, 1},
                {"name", "kind", "description", "input", "tokens", "embed", "layers", "layer",
                 "per_layer", "window", "positional", "pool", "classes"});
  SequenceConfig c;
  c.file = src.file();
  bool ok = true;
  if (const auto n = top.string("name", Need::kRequired)) c.name = n->value; else ok = false;
  if (const auto d = top.string("description", Need::kOptional)) c.description = d->value;
  else ok = ok && !top.has("description");
  if (const auto n = top.integer("classes", Need::kRequired, IntBounds::between(1, 100000)))
    c.classes = n->value;
  else
    ok = false;
  ok = top.read("window", c.window, IntBounds::between(1, 4096)) && ok;
  if (top.has("positional")) {
    if (const auto p = top.choice("positional", Need::kOptional, {"none", "sinusoidal", "learned"}))
      c.positional = static_cast<Positional>(p->value);
    else
      ok = false;
  }
  if (top.has("pool")) {
    if (const auto p = top.choice("pool", Need::kOptional, {"mean", "last"}))
      c.pool = static_cast<Pool>(p->value);
    else
      ok = false;
  }

  bool have_input = false;
  if (const auto in = top.map("input", Need::kRequired)) {
    MapReader m(src, *in, "input", "input", top.key_location("input"),
                {"height", "width", "channels"});
    const auto h = m.integer("height", Need::kRequired, IntBounds::between(1, 4096));
    const auto w = m.integer("width", Need::kRequired, IntBounds::between(1, 4096));
    const auto ch = m.integer("channels", Need::kRequired, IntBounds::between(1, 1024));
    if (h && w && ch) {
      c.height = h->value;
      c.width = w->value;
      c.channels = ch->value;
      have_input = true;
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }

  if (const auto t = top.map("tokens", Need::kRequired)) {
    MapReader m(src, *t, "tokens", "tokens", top.key_location("tokens"), {"from", "patch"});
    if (const auto from = m.choice("from", Need::kRequired, {"rows", "patches"})) {
      c.tokens = static_cast<Tokens>(from->value);
      if (c.tokens == Tokens::kPatches) {
        if (const auto p = m.integer("patch", Need::kRequired, IntBounds::between(1, 4096))) {
          c.patch = static_cast<int>(p->value);
          if (have_input && (c.height % c.patch != 0 || c.width % c.patch != 0)) {
            src.error(p->where, "tokens.patch: " + std::to_string(c.patch) +
                                    " does not divide the input (" + std::to_string(c.height) +
                                    "x" + std::to_string(c.width) + ")");
            ok = false;
          }
        } else {
          ok = false;
        }
      } else if (m.has("patch")) {
        src.error(m.key_location("patch"), "tokens.patch: only used with 'from: patches'");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }

  const auto read = [&](MapReader& m, ChoiceField& out, const std::string& key,
                        const std::string& prefix, const FieldKind& kind,
                        std::optional<std::string> fallback) {
    auto f = read_choice_field(m, key, prefix, kind, fallback);
    if (f) out = std::move(*f);
    ok = ok && f.has_value();
    return f.has_value();
  };
  const bool have_embed =
      read(top, c.embed, "embed", "e", integer_field(IntBounds::between(1, 8192)), std::nullopt);
  read(top, c.layers, "layers", "d", integer_field(IntBounds::between(1, 64)), std::nullopt);

  if (const auto l = top.map("layer", Need::kRequired)) {
    MapReader m(src, *l, "layer", "layer", top.key_location("layer"),
                {"block", "heads", "ffn_ratio", "attention"});
    read(m, c.block, "block", "", name_field(kBlockTypeNames, "block type", "block types"),
         std::nullopt);
    const bool have_heads =
        read(m, c.heads, "heads", "h", integer_field(IntBounds::between(1, 256)), "1");
    read(m, c.ffn_ratio, "ffn_ratio", "f", number_field(NumberBounds::between(0.25, 16)), "4");
    read(m, c.attention, "attention", "",
         name_field(kAttentionNames, "attention variant", "attention variants"), "full");
    // Every heads choice must split every embedding width into equal heads.
    if (have_heads && have_embed) {
      for (double h : c.heads.values)
        for (double e : c.embed.values)
          if (static_cast<int64_t>(e) % static_cast<int64_t>(h) != 0) {
            src.error(c.heads.where.line ? c.heads.where : m.where(),
                      "layer.heads: " + std::to_string(static_cast<int64_t>(h)) +
                          " does not divide the embedding width " +
                          std::to_string(static_cast<int64_t>(e)));
            ok = false;
          }
    }
  } else {
    ok = false;
  }

  if (const auto list = top.list("per_layer", Need::kOptional)) {
    const std::vector<std::string> allowed = {"block", "heads", "ffn_ratio", "attention"};
    for (size_t j = 0; j < list->size(); ++j) {
      const std::string path = "per_layer[" + std::to_string(j) + "]";
      const YAML::Node item = (*list)[j];
      const auto name = config::read_string(src, item, path, src.at(item.Mark()));
      if (!name) {
        ok = false;
        continue;
      }
      ChoiceField* target = nullptr;
      for (ChoiceField* f : c.layer_fields())
        if (f->key == name->value) target = f;
      if (!target) {
        src.error(name->where, path + ": " + config::unknown_name("per-layer key", "per-layer keys",
                                                                  name->value, allowed));
        ok = false;
        continue;
      }
      target->per_layer = true;
    }
  } else if (top.has("per_layer")) {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return c;
}

}  // namespace nas::space::sequence

namespace nas::space {

std::unique_ptr<Space> load_sequence_space(config::YamlSource& src, const YAML::Node& root) {
  auto c = sequence::read_sequence_config(src, root);
  if (!c) return nullptr;
  return std::make_unique<sequence::SequenceSpace>(std::move(*c));
}

}  // namespace nas::space
