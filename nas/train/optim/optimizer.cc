#include "nas/train/optim/optimizer.h"

#include <cmath>

#include "nas/train/optim/adam.h"
#include "nas/train/optim/sgd.h"

namespace nas::train {

void Optimizer::zero_grad() {
  for (const Parameter& p : group_.params) p.grad.fill(0.0f);
}

Result<std::unique_ptr<Optimizer>> make_optimizer(const OptimizerConfig& c, ParamGroup group) {
  if (Status s = group.validate(); !s) return s;
  const std::string what = "failed to create optimizer for group " + group.name + " with ";
  auto in_unit = [](float x) { return std::isfinite(x) && x >= 0.0f && x < 1.0f; };
  if (!std::isfinite(c.weight_decay) || c.weight_decay < 0.0f)
    return Status::error(what + "weight_decay " + std::to_string(c.weight_decay) +
                         ": must be >= 0");
  switch (c.kind) {
    case OptimizerKind::kSgd:
      if (!in_unit(c.momentum))
        return Status::error(what + "momentum " + std::to_string(c.momentum) +
                             ": must be in [0, 1)");
      if (c.nesterov && c.momentum <= 0.0f)
        return Status::error(what + "nesterov: needs momentum > 0");
      return std::unique_ptr<Optimizer>(
          new SgdOptimizer(std::move(group), c.momentum, c.nesterov, c.weight_decay));
    case OptimizerKind::kAdam:
    case OptimizerKind::kAdamW:
      if (!in_unit(c.beta1) || !in_unit(c.beta2))
        return Status::error(what + "betas (" + std::to_string(c.beta1) + ", " +
                             std::to_string(c.beta2) + "): each must be in [0, 1)");
      if (!(c.eps > 0.0f))
        return Status::error(what + "eps " + std::to_string(c.eps) + ": must be > 0");
      return std::unique_ptr<Optimizer>(new AdamOptimizer(std::move(group), c.beta1, c.beta2, c.eps,
                                                          c.weight_decay,
                                                          c.kind == OptimizerKind::kAdamW));
  }
  NAS_CHECK(false);
  return Status::error("unreachable");
}

}  // namespace nas::train
