// Gradient clipping by global L2 norm, as torch.nn.utils.clip_grad_norm_.
#pragma once

#include "nas/train/optim/param_group.h"

namespace nas::train {

// The L2 norm of all gradients of the group taken together, accumulated in
// double, parameter by parameter in list order (deterministic).
double global_grad_norm(const ParamGroup& group);

// When the global norm exceeds max_norm, scales every gradient by
// max_norm / (norm + 1e-6). Returns the norm before clipping; a non-finite
// norm is returned as is and nothing is scaled (the caller's NaN check
// fails the step). REQUIRES: max_norm > 0.
double clip_grad_norm(const ParamGroup& group, double max_norm);

}  // namespace nas::train
