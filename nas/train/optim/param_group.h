// Parameters as the optimizers see them: (value, gradient) tensor pairs,
// gathered in groups so that network weights and architecture parameters
// (DARTS alphas) can each have their own optimizer and schedule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/core/status.h"
#include "ops/core/tensor.h"

namespace nas::train {

// Views of storage owned elsewhere (the executor): the optimizer writes
// through `value` and reads `grad`.
struct Parameter {
  std::string name;  // "cell3.sep_conv.weight": names optimizer state in checkpoints
  ops::Tensor value;
  ops::Tensor grad;   // same shape as value
  bool decay = true;  // false: the optimizer's weight_decay skips it (biases, norm scales)
};

struct ParamGroup {
  std::string name;  // "weights", "arch"
  std::vector<Parameter> params;

  // Fails when a value or gradient is undefined, their shapes differ, or two
  // parameters share a name.
  Status validate() const;
  int64_t numel() const;
};

}  // namespace nas::train
