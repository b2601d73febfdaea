// TrainRecipe: the settings of one training run of one architecture, and the
// run itself, shared by `nas train`, the `train` evaluator and `nas extract`
// so that all three train the same way through the one Trainer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nas/config/architecture.h"
#include "nas/config/evaluator_config.h"
#include "nas/train/trainer.h"

namespace nas::eval {

struct TrainRecipe {
  int epochs = 3;                  // >= 1
  int64_t batch_size = 128;        // >= 1 (clamped to the training set's size)
  double learning_rate = 0.1;      // > 0: the peak rate
  train::OptimizerKind optimizer = train::OptimizerKind::kSgd;  // SGD uses Nesterov momentum
  double momentum = 0.9;           // SGD momentum / Adam beta1, in [0, 1)
  double weight_decay = 5e-4;      // >= 0 (L2 for SGD / Adam, decoupled for AdamW)
  // One-cycle (linear rise over 30% of the steps from lr/10, cosine down to
  // lr/1000) unless set otherwise; kStep decays by 10x every third of the run.
  train::LrScheduleKind schedule = train::LrScheduleKind::kOneCycle;
  double label_smoothing = 0.0;    // in [0, 1]
  double clip_grad_norm = 0.0;     // > 0: clip the global gradient norm
  bool augment = false;            // random crop (padding 2) + horizontal flip
  uint64_t seed = 0;               // initial weights, batch order, augmentation
};

// The recipe of an experiment's `evaluator: {name: train, ...}` settings
// (one-cycle schedule, Nesterov SGD when the optimizer is sgd).
TrainRecipe recipe_from_config(const config::TrainConfig& config, uint64_t seed);

// The Trainer's options for `recipe` on a training set of `train_examples`.
train::TrainOptions to_train_options(const TrainRecipe& recipe, int64_t train_examples);

struct TrainedModel {
  std::unique_ptr<train::Trainer> trainer;
  std::vector<train::EpochStats> epochs;
  double train_seconds = 0;  // wall time of building the network and fitting it
};

// Builds `arch` (copied: the result does not refer to it) and trains it on
// `train_set` with `recipe`. Fails with the builder's message (shapes), or
// the Trainer's ("failed to train at step N: loss is nan").
// REQUIRES: train_set matches the architecture's input shape.
Result<TrainedModel> train_architecture(const config::Architecture& arch,
                                        const train::Dataset& train_set, const TrainRecipe& recipe,
                                        train::TrainHooks* hooks = nullptr);

// A trainer for `arch` with freshly initialised weights and no training done
// (for loading saved weights and evaluating them).
Result<std::unique_ptr<train::Trainer>> untrained_model(const config::Architecture& arch,
                                                        const train::Dataset& shape_of,
                                                        uint64_t seed);

}  // namespace nas::eval
