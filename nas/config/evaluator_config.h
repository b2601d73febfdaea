// Typed settings of each evaluator, as written under `evaluator:` in an
// experiment. Defaults sit next to each field.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include "nas/config/located.h"

namespace nas::config {

enum class OptimizerKind { kSgd, kAdam, kAdamW };

// train: train each candidate from scratch, report validation accuracy.
struct TrainConfig {
  int epochs = 1;               // >= 1
  int batch_size = 128;         // >= 1
  double learning_rate = 0.05;  // > 0: peak learning rate
  OptimizerKind optimizer = OptimizerKind::kSgd;
  double momentum = 0.9;         // 0..1: SGD momentum (beta1 for adam/adamw)
  double weight_decay = 0.0005;  // >= 0
  double label_smoothing = 0.0;  // 0..1
};

// tabular: look candidates up in a CSV of published results.
struct TabularConfig {
  // The CSV, resolved relative to the experiment's folder; exists when loaded.
  Located<std::filesystem::path> table;
};

using EvaluatorConfig = std::variant<TrainConfig, TabularConfig>;

// The YAML name of the evaluator a config belongs to ("train", ...).
std::string evaluator_name(const EvaluatorConfig& config);

}  // namespace nas::config
