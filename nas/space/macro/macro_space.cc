#include "nas/space/macro/macro_space.h"

#include <algorithm>
#include <cmath>

#include "nas/space/macro/arch_emitter.h"

namespace nas::space::macro {

int64_t make_divisible(double v, int64_t divisor) {
  const double d = static_cast<double>(divisor);
  int64_t out = std::max<int64_t>(divisor, static_cast<int64_t>(v + d / 2) / divisor * divisor);
  if (static_cast<double>(out) < 0.9 * v) out += divisor;
  return out;
}

MacroSpace::MacroSpace(MacroConfig config) : c_(std::move(config)) {
  add_decisions(c_.resolution, "", 1, decisions_);
  add_decisions(c_.width_multiplier, "", 1, decisions_);
  for (size_t i = 0; i < c_.stages.size(); ++i) {
    StageConfig& s = c_.stages[i];
    const int max_depth = s.max_depth();
    for (ChoiceField* f : s.fields())
      add_decisions(*f, "stage" + std::to_string(i + 1), max_depth, decisions_);
  }
}

NetworkPlan MacroSpace::plan(const Genotype& g, std::vector<char>* used) const {
  NetworkPlan p;
  p.resolution = static_cast<int64_t>(c_.resolution.value(pick(c_.resolution, g, 0, used)));
  p.width_multiplier = c_.width_multiplier.value(pick(c_.width_multiplier, g, 0, used));
  for (const StageConfig& s : c_.stages) {
    const int depth = static_cast<int>(s.depth.value(pick(s.depth, g, 0, used)));
    const double width = s.width.value(pick(s.width, g, 0, used));
    const int stride = static_cast<int>(s.stride.value(pick(s.stride, g, 0, used)));
    std::vector<LayerPlan> layers;
    for (int j = 0; j < depth; ++j) {
      LayerPlan l;
      l.width = make_divisible(width * p.width_multiplier, c_.round_to);
      l.stride = j == 0 ? stride : 1;
      const std::string& block = s.block.texts[pick(s.block, g, j, used)];
      NamedBlock fixed;  // zeros: every setting from the stage
      bool builtin = false;
      for (size_t t = 0; t < kBlockTypeNames.size(); ++t)
        if (kBlockTypeNames[t] == block) {
          fixed.type = static_cast<BlockType>(t);
          builtin = true;
        }
      if (!builtin)
        for (const NamedBlock& b : c_.blocks)
          if (b.name == block) fixed = b;
      l.type = fixed.type;
      l.keep_expand = fixed.keep_expand;
      const bool inverted = l.type == BlockType::kMbconv || l.type == BlockType::kFusedMbconv;
      if (l.type != BlockType::kSkip) {
        l.kernel = fixed.kernel ? fixed.kernel : static_cast<int>(s.kernel.value(pick(s.kernel, g, j, used)));
        l.activation = s.activation.texts[pick(s.activation, g, j, used)];
      }
      if (inverted) {
        l.expand = fixed.expand > 0 ? fixed.expand : s.expand.value(pick(s.expand, g, j, used));
        l.groups = fixed.groups ? fixed.groups : static_cast<int>(s.groups.value(pick(s.groups, g, j, used)));
        l.se = s.se.value(pick(s.se, g, j, used)) != 0;
      }
      layers.push_back(l);
    }
    p.stages.push_back(std::move(layers));
  }
  return p;
}

Genotype MacroSpace::canonicalize(const Genotype& g) const {
  std::vector<char> used(decisions_.size(), 0);
  plan(g, &used);
  Genotype out = g;
  for (size_t i = 0; i < out.size(); ++i)
    if (!used[i]) out[i] = 0;
  return out;
}

std::string MacroSpace::canonical_string(const Genotype& g) const {
  std::string s = field_text(c_.resolution, g) + "-" + field_text(c_.width_multiplier, g);
  for (size_t i = 0; i < c_.stages.size(); ++i) {
    s += "|s" + std::to_string(i + 1) + ":";
    bool first = true;
    for (const ChoiceField* f : c_.stages[i].fields()) {
      if (!first) s += ',';
      s += field_text(*f, g);
      first = false;
    }
  }
  return s;
}

Result<Genotype> MacroSpace::parse(const std::string& canonical) const {
  const auto fail = [&](const std::string& why) {
    return Status::error("failed to parse '" + canonical + "' as a " + c_.name + " genotype: " + why);
  };
  Genotype g(decisions_.size(), 0);
  const auto parts = split(canonical, '|');
  if (parts.size() != c_.stages.size() + 1)
    return fail("expected " + std::to_string(c_.stages.size() + 1) + " '|'-separated parts, got " +
                std::to_string(parts.size()));
  const auto globals = split(parts[0], '-');
  if (globals.size() != 2) return fail("expected 'r<resolution>-w<multiplier>' first");
  if (Status st = parse_field(c_.resolution, globals[0], g); !st) return fail(st.message());
  if (Status st = parse_field(c_.width_multiplier, globals[1], g); !st) return fail(st.message());
  for (size_t i = 0; i < c_.stages.size(); ++i) {
    const std::string head = "s" + std::to_string(i + 1) + ":";
    std::string_view part = parts[i + 1];
    if (part.substr(0, head.size()) != head)
      return fail("stage " + std::to_string(i + 1) + " should start with '" + head + "'");
    const auto values = split(part.substr(head.size()), ',');
    const auto fields = c_.stages[i].fields();
    if (values.size() != fields.size())
      return fail("stage " + std::to_string(i + 1) + ": expected " + std::to_string(fields.size()) +
                  " ','-separated fields, got " + std::to_string(values.size()));
    for (size_t f = 0; f < fields.size(); ++f)
      if (Status st = parse_field(*fields[f], values[f], g); !st)
        return fail("stage " + std::to_string(i + 1) + " " + st.message());
  }
  return g;
}

namespace {

// Node helpers: each returns the node name, the tensor the next op reads.
class Builder {
 public:
  Builder(config::Architecture& arch, std::string se_op) : e_(arch), se_op_(std::move(se_op)) {}

  std::string conv(const std::string& name, const std::string& in, int64_t out, int kernel,
                   int stride, int groups) {
    ops::OpAttrs a;
    a.out_channels = out;
    a.kernel = kernel;
    a.stride = stride;
    a.groups = groups;
    return e_.add(name, "conv2d", a, {in});
  }
  std::string depthwise(const std::string& name, const std::string& in, int kernel, int stride) {
    ops::OpAttrs a;
    a.kernel = kernel;
    a.stride = stride;
    return e_.add(name, "depthwise_conv2d", a, {in});
  }
  std::string bn(const std::string& name, const std::string& in) {
    return e_.add(name, "batch_norm", {}, {in});
  }
  std::string act(const std::string& name, const std::string& op, const std::string& in) {
    return e_.add(name, op, {}, {in});
  }
  // conv, BN, optional activation: the unit of every block.
  std::string conv_bn(const std::string& name, const std::string& in, int64_t out, int kernel,
                      int stride, int groups, const std::string& activation) {
    std::string x = conv(name + ".conv", in, out, kernel, stride, groups);
    x = bn(name + ".bn", x);
    return activation.empty() ? x : act(name + "." + activation, activation, x);
  }
  std::string se(const std::string& name, const std::string& in) {
    ops::OpAttrs a;
    a.se_reduction = 4;
    return e_.add(name, se_op_, a, {in});
  }
  std::string shuffle(const std::string& name, const std::string& in, int groups) {
    ops::OpAttrs a;
    a.shuffle_groups = groups;
    return e_.add(name, "channel_shuffle", a, {in});
  }
  std::string add(const std::string& name, const std::string& a, const std::string& b) {
    return e_.add(name, "add", {}, {a, b});
  }
  ArchEmitter& emitter() { return e_; }

 private:
  ArchEmitter e_;
  std::string se_op_;
};

// One layer from `in` (with `c` channels); returns the output node.
std::string emit_layer(Builder& b, const std::string& name, const std::string& in, int64_t c,
                       const LayerPlan& l, int round_to) {
  const int64_t w = l.width;
  const bool residual = l.stride == 1 && c == w;
  const int64_t mid = l.expand == 1 ? c : make_divisible(static_cast<double>(c) * l.expand, round_to);
  switch (l.type) {
    case BlockType::kConv:
      return b.conv_bn(name, in, w, l.kernel, l.stride, 1, l.activation);
    case BlockType::kSkip:
      if (residual) return in;
      return b.conv_bn(name + ".proj", in, w, 1, l.stride, 1, "");
    case BlockType::kBasic: {
      std::string x = b.conv_bn(name + ".a", in, w, l.kernel, l.stride, 1, l.activation);
      x = b.conv_bn(name + ".b", x, w, l.kernel, 1, 1, "");
      const std::string shortcut =
          residual ? in : b.conv_bn(name + ".shortcut", in, w, 1, l.stride, 1, "");
      x = b.add(name + ".add", x, shortcut);
      return b.act(name + "." + l.activation, l.activation, x);
    }
    case BlockType::kMbconv: {
      std::string x = in;
      if (l.expand != 1 || l.keep_expand) {
        x = b.conv_bn(name + ".expand", x, mid, 1, 1, l.groups, l.activation);
        if (l.groups > 1) x = b.shuffle(name + ".shuffle", x, l.groups);
      }
      x = b.depthwise(name + ".dw.conv", x, l.kernel, l.stride);
      x = b.bn(name + ".dw.bn", x);
      x = b.act(name + ".dw." + l.activation, l.activation, x);
      if (l.se) x = b.se(name + ".se", x);
      x = b.conv_bn(name + ".project", x, w, 1, 1, l.groups, "");
      return residual ? b.add(name + ".add", x, in) : x;
    }
    case BlockType::kFusedMbconv: {
      std::string x;
      if (l.expand != 1) {
        x = b.conv_bn(name + ".fused", in, mid, l.kernel, l.stride, 1, l.activation);
        if (l.se) x = b.se(name + ".se", x);
        x = b.conv_bn(name + ".project", x, w, 1, 1, l.groups, "");
      } else {
        x = b.conv_bn(name + ".fused", in, w, l.kernel, l.stride, 1, l.activation);
        if (l.se) x = b.se(name + ".se", x);
      }
      return residual ? b.add(name + ".add", x, in) : x;
    }
  }
  return in;
}

// "s2.l3": stage 2, layer 3 (1-based), the prefix of the layer's node names.
std::string layer_name(size_t stage, size_t layer) {
  std::string s = std::to_string(stage + 1);
  s.insert(0, 1, 's');
  return s + ".l" + std::to_string(layer + 1);
}

}  // namespace

Result<config::Architecture> MacroSpace::decode(const Genotype& g) const {
  if (!valid(g)) return Status::error("failed to decode a " + c_.name + " genotype: not valid for the space");
  const NetworkPlan p = plan(g, nullptr);
  config::Architecture arch;
  arch.source = c_.file;
  arch.name.value = c_.name;
  arch.height = arch.width = p.resolution;
  arch.channels = c_.channels;
  Builder b(arch, c_.se_op);
  int64_t c = make_divisible(static_cast<double>(c_.stem.width) * p.width_multiplier, c_.round_to);
  std::string x = b.conv_bn("stem", "input", c, c_.stem.kernel, c_.stem.stride, 1, c_.stem.activation);
  for (size_t i = 0; i < p.stages.size(); ++i) {
    for (size_t j = 0; j < p.stages[i].size(); ++j) {
      const LayerPlan& l = p.stages[i][j];
      x = emit_layer(b, layer_name(i, j), x, c, l,
                     c_.round_to);
      c = l.width;
    }
  }
  const HeadConfig& h = c_.head;
  if (h.width > 0) {
    const int64_t w = make_divisible(static_cast<double>(h.width) * std::max(1.0, p.width_multiplier),
                                     c_.round_to);
    x = b.conv_bn("head", x, w, 1, 1, 1, h.activation);
  }
  x = b.emitter().add("pool", "global_avg_pool", {}, {x});
  if (h.hidden > 0) {
    ops::OpAttrs a;
    a.out_channels = h.hidden;
    a.bias = true;
    x = b.emitter().add("hidden", "linear", a, {x});
    x = b.act("hidden." + h.activation, h.activation, x);
  }
  if (h.dropout > 0) {
    ops::OpAttrs a;
    a.probability = static_cast<float>(h.dropout);
    x = b.emitter().add("dropout", "dropout", a, {x});
  }
  ops::OpAttrs fc;
  fc.out_channels = h.classes;
  fc.bias = true;
  x = b.emitter().add("classifier", "linear", fc, {x});
  arch.output.value = x;
  return arch;
}

}  // namespace nas::space::macro
