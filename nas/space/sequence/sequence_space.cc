#include "nas/space/sequence/sequence_space.h"

#include <cmath>

#include "nas/space/macro/arch_emitter.h"

namespace nas::space::sequence {

SequenceSpace::SequenceSpace(SequenceConfig config) : c_(std::move(config)) {
  add_decisions(c_.layers, "", 1, decisions_);
  add_decisions(c_.embed, "", 1, decisions_);
  for (ChoiceField* f : c_.layer_fields()) add_decisions(*f, "", c_.max_layers(), decisions_);
}

std::vector<SeqLayerPlan> SequenceSpace::plan(const Genotype& g, int64_t* embed,
                                              std::vector<char>* used) const {
  const int depth = static_cast<int>(c_.layers.value(pick(c_.layers, g, 0, used)));
  const int64_t d = static_cast<int64_t>(c_.embed.value(pick(c_.embed, g, 0, used)));
  if (embed) *embed = d;
  std::vector<SeqLayerPlan> layers;
  for (int j = 0; j < depth; ++j) {
    SeqLayerPlan l;
    const std::string& block = c_.block.texts[pick(c_.block, g, j, used)];
    for (size_t k = 0; k < kBlockTypeNames.size(); ++k)
      if (kBlockTypeNames[k] == block) l.type = static_cast<BlockType>(k);
    if (l.type == BlockType::kTransformer) {
      l.heads = static_cast<int>(c_.heads.value(pick(c_.heads, g, j, used)));
      l.ffn_width = std::max<int64_t>(
          1, std::llround(c_.ffn_ratio.value(pick(c_.ffn_ratio, g, j, used)) * static_cast<double>(d)));
      const std::string& a = c_.attention.texts[pick(c_.attention, g, j, used)];
      for (size_t k = 0; k < kAttentionNames.size(); ++k)
        if (kAttentionNames[k] == a) l.attention = static_cast<AttentionType>(k);
    }
    layers.push_back(l);
  }
  return layers;
}

Genotype SequenceSpace::canonicalize(const Genotype& g) const {
  std::vector<char> used(decisions_.size(), 0);
  plan(g, nullptr, &used);
  Genotype out = g;
  for (size_t i = 0; i < out.size(); ++i)
    if (!used[i]) out[i] = 0;
  return out;
}

std::string SequenceSpace::canonical_string(const Genotype& g) const {
  std::string s = field_text(c_.layers, g);
  s += '-';
  s += field_text(c_.embed, g);
  s += '|';
  bool first = true;
  for (const ChoiceField* f : c_.layer_fields()) {
    if (!first) s += ',';
    s += field_text(*f, g);
    first = false;
  }
  return s;
}

Result<Genotype> SequenceSpace::parse(const std::string& canonical) const {
  const auto fail = [&](const std::string& why) {
    return Status::error("failed to parse '" + canonical + "' as a " + c_.name + " genotype: " + why);
  };
  Genotype g(decisions_.size(), 0);
  const auto parts = split(canonical, '|');
  if (parts.size() != 2) return fail("expected 'd<layers>-e<embed>|<layer fields>'");
  const auto globals = split(parts[0], '-');
  if (globals.size() != 2) return fail("expected 'd<layers>-e<embed>' first");
  if (Status st = parse_field(c_.layers, globals[0], g); !st) return fail(st.message());
  if (Status st = parse_field(c_.embed, globals[1], g); !st) return fail(st.message());
  const auto values = split(parts[1], ',');
  const auto fields = c_.layer_fields();
  if (values.size() != fields.size())
    return fail("expected " + std::to_string(fields.size()) + " ','-separated layer fields, got " +
                std::to_string(values.size()));
  for (size_t f = 0; f < fields.size(); ++f)
    if (Status st = parse_field(*fields[f], values[f], g); !st) return fail(st.message());
  return g;
}

namespace {

ops::OpAttrs reshape_to(std::vector<int64_t> shape) {
  ops::OpAttrs a;
  a.shape = std::move(shape);
  return a;
}

// A per-token linear layer on [B,S,D]: 1x1 conv2d on the [B,S,1,D] view.
std::string token_linear(ArchEmitter& e, const std::string& name, const std::string& in,
                         int64_t seq, int64_t in_width, int64_t out_width,
                         const std::string& activation) {
  std::string x = e.add(name + ".to4d", "reshape", reshape_to({seq, 1, in_width}), {in});
  ops::OpAttrs a;
  a.out_channels = out_width;
  a.kernel = 1;
  a.bias = true;
  x = e.add(name + ".conv", "conv2d", a, {x});
  if (!activation.empty()) x = e.add(name + "." + activation, activation, {}, {x});
  return e.add(name + ".to3d", "reshape", reshape_to({seq, out_width}), {x});
}

std::string layer_prefix(size_t j) {
  std::string s = std::to_string(j + 1);
  s.insert(0, 1, 'l');
  return s;
}

}  // namespace

Result<config::Architecture> SequenceSpace::decode(const Genotype& g) const {
  if (!valid(g))
    return Status::error("failed to decode a " + c_.name + " genotype: not valid for the space");
  int64_t d = 0;
  const std::vector<SeqLayerPlan> layers = plan(g, &d, nullptr);
  config::Architecture arch;
  arch.source = c_.file;
  arch.name.value = c_.name;
  arch.height = c_.height;
  arch.width = c_.width;
  arch.channels = c_.channels;
  ArchEmitter e(arch);
  const int64_t seq = c_.sequence_length();
  std::string x;
  if (c_.tokens == Tokens::kRows) {
    // Each image row (W*C values) is one time step.
    const int64_t features = c_.width * c_.channels;
    // [B,H,W,C] has the element order of [B,H,W*C], so token_linear's
    // first reshape gives [B,H,1,W*C] directly.
    x = token_linear(e, "embed", "input", seq, features, d, "");
  } else {
    ops::OpAttrs a;
    a.kernel = a.stride = c_.patch;
    a.out_channels = d;
    a.bias = true;
    x = e.add("embed", "patch_embedding", a, {"input"});
  }
  if (c_.positional == Positional::kSinusoidal)
    x = e.add("position", "positional_encoding_sinusoidal", {}, {x});
  if (c_.positional == Positional::kLearned)
    x = e.add("position", "positional_encoding_learned", {}, {x});

  for (size_t j = 0; j < layers.size(); ++j) {
    const SeqLayerPlan& l = layers[j];
    const std::string p = layer_prefix(j);
    switch (l.type) {
      case BlockType::kTransformer: {
        // Pre-norm encoder block (ViT): x + attn(ln(x)), then x + ffn(ln(x)).
        std::string y = e.add(p + ".ln1", "layer_norm", {}, {x});
        ops::OpAttrs a;
        a.heads = l.heads;
        a.bias = true;
        std::string op = "attention";
        if (l.attention == AttentionType::kSlidingWindow) {
          op = "attention_sliding_window";
          a.window = c_.window;
        }
        if (l.attention == AttentionType::kLinear) op = "attention_linear";
        y = e.add(p + ".attn", op, a, {y});
        x = e.add(p + ".add1", "add", {}, {x, y});
        y = e.add(p + ".ln2", "layer_norm", {}, {x});
        y = token_linear(e, p + ".ffn1", y, seq, d, l.ffn_width, "gelu");
        y = token_linear(e, p + ".ffn2", y, seq, l.ffn_width, d, "");
        x = e.add(p + ".add2", "add", {}, {x, y});
        break;
      }
      case BlockType::kLstm:
      case BlockType::kGru:
      case BlockType::kRnn: {
        ops::OpAttrs a;
        a.hidden = d;
        const char* op = l.type == BlockType::kLstm ? "lstm" : l.type == BlockType::kGru ? "gru" : "rnn_tanh";
        x = e.add(p + "." + op, op, a, {x});
        break;
      }
    }
  }
  x = e.add("norm", "layer_norm", {}, {x});
  if (c_.pool == Pool::kMean || seq == 1) {
    x = e.add("pool.to4d", "reshape", reshape_to({seq, 1, d}), {x});
    x = e.add("pool", "global_avg_pool", {}, {x});
  } else {
    // The last step: the sequence as one row of S*D channels, split into
    // the first S-1 steps and the last one.
    x = e.add("last.flat", "reshape", reshape_to({1, 1, seq * d}), {x});
    ops::OpAttrs a;
    a.split_sizes = {(seq - 1) * d, d};
    x = e.add("last", "split", a, {x});
    x += ":1";
  }
  ops::OpAttrs fc;
  fc.out_channels = c_.classes;
  fc.bias = true;
  x = e.add("classifier", "linear", fc, {x});
  arch.output.value = x;
  return arch;
}

}  // namespace nas::space::sequence
