// MacroSpace: the `kind: macro` space (docs/spaces.md#macro). Decisions are
// every field with >= 2 choices: resolution, width_multiplier, then per stage
// its fields (per layer for those listed in per_layer, layers 1..max depth).
//
// Canonical string: "r<res>-w<mult>|s1:<block>,k<kernel>,e<expand>,g<groups>,
// w<width>,d<depth>,s<stride>,<activation>,se<0|1>|s2:...", each value the
// choice as written in the YAML; a per-layer field lists every layer's
// choice joined by '/' ("k3/5/3"). Fields with one choice are printed too, so
// the string reads as the whole network; parse() accepts exactly this form.
#pragma once

#include <string>
#include <vector>

#include "nas/space/macro/macro_config.h"
#include "nas/space/space.h"

namespace nas::space::macro {

// MobileNet's make_divisible: v rounded to the nearest multiple of `divisor`
// (at least divisor), rounded up once more when that loses over 10% of v.
int64_t make_divisible(double v, int64_t divisor);

// One decoded layer, after named blocks and the width multiplier.
struct LayerPlan {
  BlockType type = BlockType::kMbconv;
  int kernel = 3;
  double expand = 1;
  int groups = 1;
  int64_t width = 0;  // output channels (rounded)
  int stride = 1;
  std::string activation = "relu";
  bool se = false;
  bool keep_expand = false;  // mbconv: 1x1 expansion conv even at expansion 1
};

struct NetworkPlan {
  int64_t resolution = 0;
  double width_multiplier = 1;
  std::vector<std::vector<LayerPlan>> stages;  // active layers only
};

class MacroSpace final : public Space {
 public:
  explicit MacroSpace(MacroConfig config);

  const std::string& name() const override { return c_.name; }
  SpaceKind kind() const override { return SpaceKind::kMacro; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string canonical_string(const Genotype& g) const override;
  Result<Genotype> parse(const std::string& canonical) const override;
  // Decisions that cannot change the network (layers beyond the chosen
  // depth, kernel / expansion / groups / SE / activation of blocks that
  // ignore them or fix them, stage-level fields no active layer reads) are
  // set to 0.
  Genotype canonicalize(const Genotype& g) const override;
  // Stem, stages, head as docs/spaces.md#macro describes; the output is the
  // classifier's logits [N, classes].
  Result<config::Architecture> decode(const Genotype& g) const override;

  const MacroConfig& config() const { return c_; }
  // The layers g describes; marks in `used` (size = decisions, when not
  // null) every decision that affects them. REQUIRES: valid(g).
  NetworkPlan plan(const Genotype& g, std::vector<char>* used) const;

 private:
  MacroConfig c_;
  std::vector<Decision> decisions_;
};

}  // namespace nas::space::macro
