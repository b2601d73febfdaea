#include "ops/seq/recurrent_common.h"

#include <string>

namespace nas::ops::seq {

Status check_recurrent_args(const char* op, const OpAttrs& attrs, std::span<const Shape> inputs) {
  if (inputs.size() != 1 || inputs[0].rank() != 3 || inputs[0].numel() < 1)
    return Status::error(std::string("failed to create ") + op + ": expected one [B, T, I] input");
  if (attrs.hidden < 1)
    return Status::error(std::string("failed to create ") + op + " with hidden " +
                         std::to_string(attrs.hidden) + ": must be >= 1");
  return Status::ok();
}

OpCost recurrent_cost(int64_t B, int64_t T, int64_t I, int64_t H, int64_t gates,
                      int64_t bias_floats, int64_t flops_per_unit) {
  constexpr int64_t kF = sizeof(float);
  OpCost c;
  c.params = (I + H) * gates * H + bias_floats;
  c.macs = T * B * gates * H * (I + H);
  c.flops_other = T * B * H * flops_per_unit;
  c.bytes_read = (B * T * I + c.params) * kF;
  c.bytes_written = B * T * H * kF;
  return c;
}

}  // namespace nas::ops::seq
