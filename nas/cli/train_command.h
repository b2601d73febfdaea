#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas train ARCH.yaml --dataset D --epochs N [--out DIR]`: trains one
// architecture with the project's trainer, prints per-epoch loss, accuracy
// and images/s, tests it, and saves arch.yaml + weights.safetensors.
class TrainCommand : public Command {
 public:
  const char* name() const override { return "train"; }
  const char* summary() const override {
    return "train and test one architecture, save its weights (safetensors)";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
