#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas extract runs/NAME [--select best|pareto:K|CONSTRAINTS] --out DIR
// [--epochs N] [--train-subset N] [--force]`: takes one candidate of a
// finished (or interrupted) run, retrains it from scratch with the project's
// trainer, tests it on the dataset's test split, re-estimates its cost on
// every hardware profile of the run, prints both, and writes
// DIR/{arch.yaml, weights.safetensors, metrics.json} (docs/extract.md).
class ExtractCommand : public Command {
 public:
  const char* name() const override { return "extract"; }
  const char* summary() const override {
    return "retrain the chosen subnet of a run, test it, save arch.yaml + weights.safetensors";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
