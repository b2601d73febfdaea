// Optimizer state in checkpoints, so that a resumed run continues exactly
// where it stopped: the state tensors (momentum, Adam moments) and the step
// count, as a safetensors file (metadata "step" and "group").
#pragma once

#include <filesystem>

#include "nas/train/optim/optimizer.h"

namespace nas::train {

// Writes opt.state() and opt.step_count() to path atomically.
Status save_optimizer_state(const std::filesystem::path& path, const Optimizer& opt);

// Copies the saved state into opt and sets its step count. Fails, naming the
// file, when it cannot be read, a state tensor is missing or extra (another
// optimizer kind or parameter list), a shape differs, or "step" is absent or
// not a non-negative integer; opt is unchanged then.
Status load_optimizer_state(const std::filesystem::path& path, Optimizer& opt);

}  // namespace nas::train
