// What an op costs for its shapes: exact counts, the inputs of the cost
// model and of the latency tables.
#pragma once

#include <cstdint>

namespace nas::ops {

struct OpCost {
  int64_t macs = 0;           // multiply-accumulates (a FLOP count is 2*macs)
  int64_t flops_other = 0;    // non-MAC arithmetic (activations, normalisation, softmax)
  int64_t bytes_read = 0;     // inputs + parameters, each read once (fp32)
  int64_t bytes_written = 0;  // outputs, written once (fp32)
  int64_t params = 0;         // learnable scalars

  OpCost& operator+=(const OpCost& o) {
    macs += o.macs;
    flops_other += o.flops_other;
    bytes_read += o.bytes_read;
    bytes_written += o.bytes_written;
    params += o.params;
    return *this;
  }
};

}  // namespace nas::ops
