// The per-head cores of multi-head self-attention, between the projections:
// they read Q, K, V from one packed [B*S, 3*D] buffer (row (b,s): q | k | v,
// head h at columns h*dh within each third) and write the context
// [B*S, D] (head h at columns h*dh). Each core parallelises over (batch,
// head) pairs and calls sgemm with parallel = false inside.
//
// Masks: query i sees key j when (not causal or j <= i) and (window == 0 or
// |i - j| <= window). Every query sees itself, so no row is empty.
#pragma once

#include <cstdint>

namespace nas::ops::seq {

struct AttentionDims {
  int64_t batch = 0, seq = 0, d_model = 0, heads = 1;
  bool causal = false;
  int64_t window = 0;  // 0: no window
  int64_t head_dim() const { return d_model / heads; }
  // Keys seen by query i: [key_begin(i), key_end(i)).
  int64_t key_begin(int64_t i) const { return window > 0 && i > window ? i - window : 0; }
  int64_t key_end(int64_t i) const {
    int64_t e = causal ? i + 1 : seq;
    if (window > 0 && i + window + 1 < e) e = i + window + 1;
    return e;
  }
  // Queries that see key j: [query_begin(j), query_end(j)).
  int64_t query_begin(int64_t j) const {
    int64_t b = causal ? j : 0;
    if (window > 0 && j - window > b) b = j - window;
    return b;
  }
  int64_t query_end(int64_t j) const {
    return window > 0 && j + window + 1 < seq ? j + window + 1 : seq;
  }
  // Number of (query, key) pairs the mask keeps, per (batch, head).
  int64_t visible_pairs() const;
};

// Plain: materialises the softmax probabilities, probs[B*heads, S, S] (kept
// for backward; masked entries are 0).
void attention_plain_forward(const AttentionDims& d, const float* qkv, float* probs, float* ctx);
// OVERWRITES dqkv [B*S, 3D]. REQUIRES: probs from the forward of this qkv.
void attention_plain_backward(const AttentionDims& d, const float* qkv, const float* probs,
                              const float* dctx, float* dqkv);

// Tiled with an online softmax (Flash-Attention): never forms an S x S
// matrix; per thread it takes O(tile * (tile + dh) + S) floats of scratch from
// thread_scratch(). Saves lse[B*heads, S] (row log-sum-exp of the scaled
// scores) for the backward, which recomputes the probabilities tile by tile.
void attention_tiled_forward(const AttentionDims& d, const float* qkv, float* ctx, float* lse);
// drow[(b*heads + h) * S + s] = rowsum over the head's columns of dO * O
// (FlashAttention's D), which stands in for rowsum(P * dP).
void attention_tiled_backward(const AttentionDims& d, const float* qkv, const float* drow,
                              const float* lse, const float* dctx, float* dqkv);


// Linear attention (Katharopoulos et al. 2020) with feature map
// phi(x) = elu(x) + 1: ctx_i = phi(q_i) S_i / (phi(q_i) . z_i), S_i = sum over
// visible j of phi(k_j)^T v_j, z_i = sum phi(k_j). O(S * dh^2) per head.
// Supports causal; ignores window. Scratch O(S * dh) per thread.
void attention_linear_forward(const AttentionDims& d, const float* qkv, float* ctx);
void attention_linear_backward(const AttentionDims& d, const float* qkv, const float* dctx,
                               float* dqkv);

// Score entries the tiled kernel computes per (batch, head): the tiles it
// visits, a little more than visible_pairs() where tiles straddle the mask.
int64_t attention_tiled_score_pairs(const AttentionDims& d);

// Scratch floats one thread takes from thread_scratch() in the tiled
// forward / backward (for memory reports and tests).
int64_t attention_tiled_scratch_floats(const AttentionDims& d, bool backward);

}  // namespace nas::ops::seq
