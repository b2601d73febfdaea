// "softmax_cross_entropy": inputs logits [N,K] (or [N,1,1,K]) and labels [N]
// (integer class ids stored as floats, 0 <= label < K); output the mean loss
// over the batch, shape [1]. OpAttrs::label_smoothing e gives targets
// (1 - e) * onehot + e / K (PyTorch's CrossEntropyLoss(label_smoothing=e)).
// Backward: dlogits = dloss * (softmax - target) / N; labels get no gradient
// (their grad tensor, if defined, is zeroed).
// Cost: flops_other = 5*N*K (max, subtract, exp, sum, target dot) + N (log);
// bytes per io_cost().
//
// Also plain functions for evaluators (argmax, top-k hits).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Errors: not two inputs; logits not [N,K] / [N,1,1,K]; labels not [N] or
// [N,1]; K < 1; label_smoothing outside [0, 1].
Result<std::unique_ptr<Op>> create_softmax_cross_entropy(const OpAttrs& attrs,
                                                         std::span<const Shape> inputs);

// out[i] = index of the largest logits[i][*] (the first one on ties).
void argmax_rows(const float* logits, int64_t rows, int64_t classes, int64_t* out);
// How many rows have their label among the k largest logits (ties favour the
// lower class index, as argmax does). labels are class ids stored as floats.
// REQUIRES: k >= 1; labels in [0, classes).
int64_t count_top_k_correct(const float* logits, const float* labels, int64_t rows, int64_t classes,
                            int k);

}  // namespace nas::ops
