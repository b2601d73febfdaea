#include "nas/eval/train_recipe.h"

#include <algorithm>
#include <chrono>

#include "nas/graph/architecture_builder.h"

namespace nas::eval {
namespace {

train::SpecFactory factory_of(const config::Architecture& arch) {
  // The trainer rebuilds the body for its evaluation batch size later, so it
  // owns a copy of the architecture.
  auto owned = std::make_shared<const config::Architecture>(arch);
  return [owned](int64_t batch) { return graph::build_network_spec(*owned, batch); };
}

}  // namespace

TrainRecipe recipe_from_config(const config::TrainConfig& c, uint64_t seed) {
  TrainRecipe r;
  r.epochs = c.epochs;
  r.batch_size = c.batch_size;
  r.learning_rate = c.learning_rate;
  switch (c.optimizer) {
    case config::OptimizerKind::kSgd:
      r.optimizer = train::OptimizerKind::kSgd;
      break;
    case config::OptimizerKind::kAdam:
      r.optimizer = train::OptimizerKind::kAdam;
      break;
    case config::OptimizerKind::kAdamW:
      r.optimizer = train::OptimizerKind::kAdamW;
      break;
  }
  r.momentum = c.momentum;
  r.weight_decay = c.weight_decay;
  r.label_smoothing = c.label_smoothing;
  r.schedule = train::LrScheduleKind::kOneCycle;
  r.seed = seed;
  return r;
}

train::TrainOptions to_train_options(const TrainRecipe& r, int64_t train_examples) {
  train::TrainOptions to;
  to.epochs = r.epochs;
  to.batch_size = r.batch_size;
  to.optimizer.kind = r.optimizer;
  // The config reader allows momentum 1.0; the optimizers need < 1.
  const float momentum = static_cast<float>(std::min(r.momentum, 0.999));
  to.optimizer.momentum = momentum;
  to.optimizer.beta1 = momentum;
  to.optimizer.nesterov = r.optimizer == train::OptimizerKind::kSgd && momentum > 0;
  to.optimizer.weight_decay = static_cast<float>(r.weight_decay);
  to.schedule.kind = r.schedule;
  to.schedule.base_lr = static_cast<float>(r.learning_rate);
  to.schedule.final_factor = r.schedule == train::LrScheduleKind::kOneCycle ? 1e-3f : 0.0f;
  const int64_t batch = std::max<int64_t>(1, std::min(r.batch_size, train_examples));
  const int64_t total_steps = r.epochs * (train_examples / batch);
  if (r.schedule == train::LrScheduleKind::kStep)
    to.schedule.step_size = std::max<int64_t>(1, total_steps / 3);
  // One-cycle needs a warm-up step and a step after it; a run of a single
  // step (a tiny training subset) takes it at the peak rate.
  if (r.schedule == train::LrScheduleKind::kOneCycle && total_steps < 2)
    to.schedule.kind = train::LrScheduleKind::kConstant;
  to.label_smoothing = static_cast<float>(r.label_smoothing);
  to.clip_grad_norm = r.clip_grad_norm;
  if (r.augment) to.augment = {2, true};
  to.seed = r.seed;
  return to;
}

Result<TrainedModel> train_architecture(const config::Architecture& arch,
                                        const train::Dataset& train_set, const TrainRecipe& recipe,
                                        train::TrainHooks* hooks) {
  const auto start = std::chrono::steady_clock::now();
  auto trainer = train::Trainer::create(factory_of(arch), to_train_options(recipe, train_set.size()),
                                        train_set.size(), train_set.num_classes);
  if (!trainer) return trainer.status();
  TrainedModel model;
  model.trainer = trainer.take();
  auto epochs = model.trainer->fit(train_set, hooks);
  if (!epochs) return epochs.status();
  model.epochs = epochs.take();
  model.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

Result<std::unique_ptr<train::Trainer>> untrained_model(const config::Architecture& arch,
                                                        const train::Dataset& shape_of,
                                                        uint64_t seed) {
  TrainRecipe recipe;
  recipe.epochs = 1;
  recipe.seed = seed;
  return train::Trainer::create(factory_of(arch), to_train_options(recipe, shape_of.size()),
                                shape_of.size(), shape_of.num_classes);
}

}  // namespace nas::eval
