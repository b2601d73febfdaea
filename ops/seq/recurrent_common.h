// What LSTM, GRU and the vanilla RNN share at the op level: their creation
// checks and the shape of their cost. Internal to ops/seq.
#pragma once

#include <cstdint>
#include <span>

#include "ops/core/cost.h"
#include "ops/core/op_registry.h"

namespace nas::ops::seq {

// Ok for one [B, T, I] input and hidden >= 1; else "failed to create <op>: ...".
Status check_recurrent_args(const char* op, const OpAttrs& attrs, std::span<const Shape> inputs);

// The cost of a recurrent layer over T steps of batch B whose `gates` gate
// blocks of width H read x [I] and h [H]: params = (I + H) gates H +
// bias_floats, macs = T B gates H (I + H), flops_other = T B H
// flops_per_unit; reads the input sequence and the parameters, writes [B, T, H].
OpCost recurrent_cost(int64_t B, int64_t T, int64_t I, int64_t H, int64_t gates,
                      int64_t bias_floats, int64_t flops_per_unit);

}  // namespace nas::ops::seq
