// "global_avg_pool": [N,H,W,C] -> [N,1,1,C], the mean over H and W.
// Cost: flops_other = N*H*W*C adds + N*C multiplies; bytes per io_cost().
#pragma once

#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Error unless there is one rank-4 input.
Result<std::unique_ptr<Op>> create_global_avg_pool(const OpAttrs& attrs,
                                                   std::span<const Shape> inputs);

// Plain kernels, shared with squeeze_excitation: y[n][c] = mean_hw x[n][hw][c];
// dx[n][hw][c] = dy[n][c] / hw. Parallel over n.
void global_avg_pool_forward(const float* x, int64_t n, int64_t hw, int64_t c, float* y);
void global_avg_pool_backward(const float* dy, int64_t n, int64_t hw, int64_t c, float* dx);

}  // namespace nas::ops
