#include "nas/train/optim/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nas::train {

Result<LrSchedule> LrSchedule::create(const LrScheduleConfig& config) {
  LrScheduleConfig c = config;
  const std::string what = "failed to create learning-rate schedule with ";
  if (!std::isfinite(c.base_lr) || c.base_lr < 0.0f)
    return Status::error(what + "base_lr " + std::to_string(c.base_lr) + ": must be >= 0");
  if (c.warmup_steps < 0)
    return Status::error(what + "warmup_steps " + std::to_string(c.warmup_steps) +
                         ": must be >= 0");
  if (!(c.warmup_start_factor >= 0.0f && c.warmup_start_factor <= 1.0f))
    return Status::error(what + "warmup_start_factor " + std::to_string(c.warmup_start_factor) +
                         ": must be in [0, 1]");
  const bool annealed = c.kind == LrScheduleKind::kCosine || c.kind == LrScheduleKind::kOneCycle;
  if (c.kind == LrScheduleKind::kOneCycle && c.warmup_steps == 0) {
    if (!(c.one_cycle_warmup_fraction > 0.0f && c.one_cycle_warmup_fraction < 1.0f))
      return Status::error(what + "one_cycle_warmup_fraction " +
                           std::to_string(c.one_cycle_warmup_fraction) + ": must be in (0, 1)");
    c.warmup_steps = std::max<int64_t>(
        1, static_cast<int64_t>(std::llround(c.one_cycle_warmup_fraction * c.total_steps)));
  }
  if (annealed && c.total_steps <= c.warmup_steps)
    return Status::error(what + "total_steps " + std::to_string(c.total_steps) +
                         ": must exceed warmup_steps " + std::to_string(c.warmup_steps));
  if (annealed && !(c.final_factor >= 0.0f && c.final_factor <= 1.0f))
    return Status::error(what + "final_factor " + std::to_string(c.final_factor) +
                         ": must be in [0, 1]");
  if (c.kind == LrScheduleKind::kStep) {
    if (c.step_size <= 0)
      return Status::error(what + "step_size " + std::to_string(c.step_size) + ": must be > 0");
    if (!(c.gamma > 0.0f && c.gamma <= 1.0f))
      return Status::error(what + "gamma " + std::to_string(c.gamma) + ": must be in (0, 1]");
  }
  return LrSchedule(c);
}

float LrSchedule::lr_at(int64_t step) const {
  const double base = c_.base_lr;
  step = std::max<int64_t>(step, 0);
  if (step < c_.warmup_steps) {
    const double f = c_.warmup_start_factor;
    return static_cast<float>(
        base * (f + (1.0 - f) * static_cast<double>(step) / static_cast<double>(c_.warmup_steps)));
  }
  const int64_t s = step - c_.warmup_steps;
  switch (c_.kind) {
    case LrScheduleKind::kConstant:
      return c_.base_lr;
    case LrScheduleKind::kStep:
      return static_cast<float>(
          base * std::pow(static_cast<double>(c_.gamma), static_cast<double>(s / c_.step_size)));
    case LrScheduleKind::kCosine:
    case LrScheduleKind::kOneCycle: {
      const double span = static_cast<double>(c_.total_steps - c_.warmup_steps);
      const double t = std::min(1.0, static_cast<double>(s) / span);
      const double final_lr = base * c_.final_factor;
      return static_cast<float>(final_lr + (base - final_lr) * 0.5 * (1.0 + std::cos(M_PI * t)));
    }
  }
  NAS_CHECK(false);
  return 0.0f;
}

}  // namespace nas::train
