// Learning-rate schedules as a pure function of the step number, so a
// resumed run gets the same rates. Every kind starts with an optional
// linear warm-up:
//   step < W:  lr = base * (f + (1 - f) * step / W)       f = warmup_start_factor
// then, with s = step - W, S = total_steps - W, t = min(s / S, 1):
//   kConstant: base
//   kStep:     base * gamma^floor(s / step_size)
//   kCosine:   final + (base - final) * (1 + cos(pi t)) / 2      final = base * final_factor
//   kOneCycle: as kCosine; its warm-up (the rising half of the cycle) defaults to
//              one_cycle_warmup_fraction of total_steps and starts at base * warmup_start_factor
// (PyTorch's OneCycleLR with a linear rise: base = max_lr, f = 1/div_factor).
#pragma once

#include <cstdint>

#include "ops/core/status.h"

namespace nas::train {

enum class LrScheduleKind { kConstant, kStep, kCosine, kOneCycle };

struct LrScheduleConfig {
  LrScheduleKind kind = LrScheduleKind::kConstant;
  float base_lr = 0.1f;                    // the peak rate, reached at the end of warm-up
  int64_t total_steps = 0;                 // kCosine / kOneCycle: length of the run, > warm-up
  int64_t warmup_steps = 0;                // 0 = no warm-up (kOneCycle: 0 = the fraction below)
  float warmup_start_factor = 0.1f;        // warm-up starts at base_lr * this, in [0, 1]
  int64_t step_size = 0;                   // kStep: steps between decays, > 0
  float gamma = 0.1f;                      // kStep: decay factor, in (0, 1]
  float final_factor = 0.0f;               // kCosine / kOneCycle: final lr = base_lr * this
  float one_cycle_warmup_fraction = 0.3f;  // kOneCycle when warmup_steps = 0, in (0, 1)
};

class LrSchedule {
 public:
  // Fails on a setting out of range, naming it.
  static Result<LrSchedule> create(const LrScheduleConfig& config);
  // The rate for 0-based update `step`; past total_steps it stays at the final value.
  float lr_at(int64_t step) const;
  const LrScheduleConfig& config() const { return c_; }

 private:
  explicit LrSchedule(const LrScheduleConfig& c) : c_(c) {}
  LrScheduleConfig c_;
};

}  // namespace nas::train
