// zero: an edge that carries nothing (NAS-Bench-201's and DARTS's `none`).
// Input [N,H,W,C] -> zeros [N,Ho,Wo,C] with Ho = (H-1)/stride + 1, i.e. the
// shape of x[:, ::stride, ::stride, :] (DARTS's Zero(stride)), so a `none`
// edge of a reduction cell has the shape of its sibling edges.
// No parameters, no MACs; backward writes zero input gradients.
// Errors: not one rank-4 input; stride < 1.
#pragma once

#include "ops/core/op_registry.h"

namespace nas::ops {

void register_zero_op(OpRegistry& registry);

}  // namespace nas::ops
