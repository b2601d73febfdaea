// "dropout": inverted dropout with p = OpAttrs::probability in [0, 1).
// Training: y[i] = keep(i) ? x[i] / (1 - p) : 0, with keep(i) a pure
// function of (OpContext::seed, i) (a counter-based hash), so the mask does
// not depend on thread scheduling and backward recomputes it instead of
// storing it. Inference: y = x.
// The mask depends only on (seed, element index): two dropout ops given the
// same seed drop the same positions, so the executor should mix an op id
// into OpContext::seed.
// Cost: flops_other = numel (one multiply); bytes per io_cost().
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "ops/core/op_registry.h"

namespace nas::ops {

// Error unless one input of at most 2^32 elements and 0 <= probability < 1.
Result<std::unique_ptr<Op>> create_dropout(const OpAttrs& attrs, std::span<const Shape> inputs);

// True when element `index` (< 2^32) is kept under (seed, p): hash(seed, index) mapped
// to [0, 1) is >= p.
bool dropout_keep(uint64_t seed, int64_t index, float p);

}  // namespace nas::ops
