// The typed contents of a `kind: sequence` space file
// (docs/spaces.md#sequence): an image seen as a sequence (rows as time
// steps, or patches as tokens), a stack of layers each a transformer encoder
// block or a recurrent layer, and a mean-over-tokens (or last-step) head.
// Produced by read_sequence_config(); consumed by SequenceSpace.
#pragma once

#include <string>
#include <vector>

#include "nas/space/macro/choice_field.h"

namespace nas::space::sequence {

enum class BlockType { kTransformer, kLstm, kGru, kRnn };
inline const std::vector<std::string> kBlockTypeNames = {"transformer", "lstm", "gru", "rnn"};
enum class AttentionType { kFull, kSlidingWindow, kLinear };
inline const std::vector<std::string> kAttentionNames = {"full", "sliding_window", "linear"};
enum class Tokens { kRows, kPatches };
enum class Positional { kNone, kSinusoidal, kLearned };
enum class Pool { kMean, kLast };

struct SequenceConfig {
  std::string file;  // the space file, for the decoded architecture's source
  std::string name;
  std::string description;
  int64_t height = 0, width = 0, channels = 0;  // one input image, HWC
  Tokens tokens = Tokens::kRows;
  int patch = 0;                  // kPatches: patch side (divides height and width)
  Positional positional = Positional::kNone;
  Pool pool = Pool::kMean;
  int window = 4;                 // sliding-window half width, in tokens
  int64_t classes = 0;
  // Global decisions: embedding width, number of layers.
  ChoiceField embed, layers;
  // Layer settings, shared by all layers or per layer (per_layer).
  ChoiceField block, heads, ffn_ratio, attention;

  int max_layers() const;
  // Tokens per sample and the features of one token before the embedding.
  int64_t sequence_length() const;
  // The layer fields in canonical-string order.
  std::vector<ChoiceField*> layer_fields() { return {&block, &heads, &ffn_ratio, &attention}; }
  std::vector<const ChoiceField*> layer_fields() const {
    return {&block, &heads, &ffn_ratio, &attention};
  }
};

}  // namespace nas::space::sequence
