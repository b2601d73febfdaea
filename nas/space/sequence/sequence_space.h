// SequenceSpace: the `kind: sequence` space (docs/spaces.md#sequence).
// Decisions: layers, embed, then the layer fields (block, heads, ffn_ratio,
// attention) with >= 2 choices, once or per layer (layers 1..max).
//
// Canonical string: "d<layers>-e<embed>|<block>,h<heads>,f<ffn_ratio>,
// <attention>", each value the choice as written in the YAML, a per-layer
// field as every layer's choice joined by '/' ("transformer/lstm/gru").
#pragma once

#include <string>
#include <vector>

#include "nas/space/sequence/sequence_config.h"
#include "nas/space/space.h"

namespace nas::space::sequence {

struct SeqLayerPlan {
  BlockType type = BlockType::kTransformer;
  int heads = 1;
  int64_t ffn_width = 0;
  AttentionType attention = AttentionType::kFull;
};

class SequenceSpace final : public Space {
 public:
  explicit SequenceSpace(SequenceConfig config);

  const std::string& name() const override { return c_.name; }
  SpaceKind kind() const override { return SpaceKind::kSequence; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string canonical_string(const Genotype& g) const override;
  Result<Genotype> parse(const std::string& canonical) const override;
  // Layers beyond the chosen depth and the transformer settings of
  // recurrent layers are set to 0.
  Genotype canonicalize(const Genotype& g) const override;
  // Tokens (row projection or patch embedding) [+ positional encoding],
  // the layers, a final layer norm, mean over tokens or the last token, and
  // a linear classifier: logits [N, classes].
  Result<config::Architecture> decode(const Genotype& g) const override;

  const SequenceConfig& config() const { return c_; }
  // The embedding width and the active layers of g; marks in `used` (when
  // not null) every decision that affects them. REQUIRES: valid(g).
  std::vector<SeqLayerPlan> plan(const Genotype& g, int64_t* embed, std::vector<char>* used) const;

 private:
  SequenceConfig c_;
  std::vector<Decision> decisions_;
};

}  // namespace nas::space::sequence
