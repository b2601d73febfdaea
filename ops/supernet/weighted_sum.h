// weighted_sum: DARTS's mixed op. Sums k same-shaped inputs weighted by
// softmax(alpha), where alpha [k] is an architecture parameter:
//   y = sum_i w_i x_i,  w = softmax(alpha)
// Backward gives dx_i = w_i dy and dalpha_j = w_j (g_j - sum_i w_i g_i) with
// g_i = <dy, x_i>, the softmax Jacobian applied to the per-input dot products.
#pragma once

#include "ops/core/op_registry.h"

namespace nas::ops {

void register_supernet_ops(OpRegistry& registry);

// softmax(alpha) in double for stability; exposed for the DARTS strategy's
// expected-latency term (sum_i w_i * latency_i).
std::vector<double> softmax_weights(const float* alpha, int k);

}  // namespace nas::ops
