// Registration of the sequence op family (called from the one list in
// ops/core/op_registry.cc).
#include "ops/core/op_registry.h"
#include "ops/seq/attention.h"
#include "ops/seq/embedding.h"
#include "ops/seq/gru.h"
#include "ops/seq/layer_norm.h"
#include "ops/seq/lstm.h"
#include "ops/seq/rnn.h"

namespace nas::ops {

void register_seq_ops(OpRegistry& r) {
  auto attention = [](AttentionKind kind) {
    return [kind](const OpAttrs& a, std::span<const Shape> in) {
      return MultiHeadAttention::create(kind, a, in);
    };
  };
  r.add({"attention", "multi-head self-attention [B,S,D], plain (S x S scores)",
         attention(AttentionKind::kPlain)});
  r.add({"attention_tiled", "multi-head self-attention, tiled online softmax (O(S d) memory)",
         attention(AttentionKind::kTiled)});
  r.add({"attention_sliding_window", "multi-head self-attention over |i-j| <= window",
         attention(AttentionKind::kSlidingWindow)});
  r.add({"attention_linear", "linear attention, feature map elu+1, O(S)",
         attention(AttentionKind::kLinear)});
  r.add({"layer_norm", "layer normalisation over the last dimension", LayerNorm::create});
  r.add({"embedding", "token embedding: ids [B,S] -> [B,S,D]", Embedding::create});
  r.add({"patch_embedding", "ViT patch embedding: NHWC image -> [B,tokens,D]",
         PatchEmbedding::create});
  r.add({"positional_encoding_sinusoidal", "x + fixed sinusoidal positional encoding",
         [](const OpAttrs& a, std::span<const Shape> in) {
           return PositionalEncoding::create(false, a, in);
         }});
  r.add({"positional_encoding_learned", "x + learned positional embedding [S,D]",
         [](const OpAttrs& a, std::span<const Shape> in) {
           return PositionalEncoding::create(true, a, in);
         }});
  r.add({"lstm", "LSTM over [B,T,I] -> [B,T,H]", Lstm::create});
  r.add({"gru", "GRU over [B,T,I] -> [B,T,H]", Gru::create});
  r.add({"rnn_tanh", "tanh RNN over [B,T,I] -> [B,T,H]", Rnn::create});
}

}  // namespace nas::ops
