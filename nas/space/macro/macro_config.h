// The typed contents of a `kind: macro` space file (docs/spaces.md#macro):
// a MobileNet / once-for-all / FBNet style chain of stages, each stage a
// number of layers of one block family, with per-stage (or per-layer)
// choices. Produced by read_macro_config(); consumed by MacroSpace.
#pragma once

#include <string>
#include <vector>

#include "nas/space/macro/choice_field.h"

namespace nas::space::macro {

// Block families; their YAML names are kBlockTypeNames, in this order.
enum class BlockType { kConv, kMbconv, kFusedMbconv, kBasic, kSkip };
inline const std::vector<std::string> kBlockTypeNames = {"conv", "mbconv", "fused_mbconv",
                                                         "basic", "skip"};
// Activations a layer may use (registry op names).
inline const std::vector<std::string> kActivationNames = {"relu",  "relu6",   "hswish", "swish",
                                                          "gelu",  "sigmoid", "tanh"};

// A named block choice with some settings fixed (FBNet's "k3_e1_g2");
// 0 means "from the stage's field".
struct NamedBlock {
  std::string name;
  BlockType type = BlockType::kMbconv;
  int kernel = 0;
  double expand = 0;
  int groups = 0;
  // mbconv: keep the 1x1 expansion conv at expansion 1 (FBNet's blocks do;
  // MobileNetV2's drop it, the default).
  bool keep_expand = false;
};

struct StemConfig {
  int64_t width = 16;  // before the width multiplier
  int kernel = 3;
  int stride = 1;
  std::string activation = "relu";
};

// Each field's choices are names of kBlockTypeNames / NamedBlock (block),
// ints (kernel, groups, width, depth, stride), numbers (expand), names of
// kActivationNames (activation), flags (se).
struct StageConfig {
  ChoiceField block, kernel, expand, groups, width, depth, stride, activation, se;
  int max_depth() const;
  // The fields in canonical-string order.
  std::vector<ChoiceField*> fields();
  std::vector<const ChoiceField*> fields() const;
};

struct HeadConfig {
  int64_t width = 0;    // 1x1 conv + BN + activation before the pool (0: none)
  int64_t hidden = 0;   // linear + activation after the pool (0: none)
  std::string activation = "relu";
  double dropout = 0;   // before the classifier
  int64_t classes = 0;
};

struct MacroConfig {
  std::string file;  // the space file, for the decoded architecture's source
  std::string name;
  std::string description;
  int64_t channels = 3;        // input channels
  ChoiceField resolution;      // input height = width
  ChoiceField width_multiplier;
  int round_to = 8;            // widths are made divisible by this after the multiplier
  std::string se_op = "squeeze_excitation";  // or squeeze_excitation_hsigmoid
  std::vector<NamedBlock> blocks;
  StemConfig stem;
  std::vector<StageConfig> stages;
  HeadConfig head;
};

}  // namespace nas::space::macro
