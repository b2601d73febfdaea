// The training progress `nas train` and `nas extract` print: a progress line
// within each epoch (redrawn on a terminal, a plain line every 10 s
// otherwise) and one summary line per epoch on stdout.
#pragma once

#include <cstdint>
#include <memory>

#include "nas/train/trainer.h"
#include "nas/util/progress.h"

namespace nas::cli {

class EpochPrinter : public train::TrainHooks {
 public:
  // REQUIRES: epochs >= 1, steps_per_epoch >= 1.
  EpochPrinter(int epochs, int64_t steps_per_epoch) : total_(epochs), steps_per_epoch_(steps_per_epoch) {}
  void before_step(int64_t step) override;
  void after_epoch(const train::EpochStats& stats) override;

 private:
  int total_;
  int64_t steps_per_epoch_;
  std::unique_ptr<Progress> progress_;
};

}  // namespace nas::cli
