#include "nas/cli/epoch_printer.h"

#include <cstdio>
#include <iostream>
#include <string>

namespace nas::cli {

void EpochPrinter::before_step(int64_t step) {
  const int64_t in_epoch = step % steps_per_epoch_;
  if (in_epoch == 0)
    progress_ = std::make_unique<Progress>("epoch " + std::to_string(step / steps_per_epoch_ + 1),
                                           steps_per_epoch_);
  progress_->update(in_epoch);
}

void EpochPrinter::after_epoch(const train::EpochStats& s) {
  if (progress_ && progress_->is_tty()) progress_->clear();
  progress_.reset();
  char line[200];
  std::snprintf(line, sizeof line,
                "epoch %d/%d  loss %.4f  train acc %.2f%%  lr %.4g  %.0f img/s  %.1f s", s.epoch,
                total_, s.loss, 100 * s.accuracy, s.last_lr, s.images_per_s, s.seconds);
  std::cout << line << std::endl;
}

}  // namespace nas::cli
