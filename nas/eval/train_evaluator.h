// The `train` evaluator: trains each candidate from scratch with the
// project's Trainer on the search's training split and reports its accuracy
// and loss on the validation split (carved from the published training set,
// never the test set), plus its training wall time.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "nas/eval/evaluator.h"
#include "nas/eval/train_recipe.h"
#include "nas/train/data/splits.h"

namespace nas::eval {

class TrainEvaluator : public Evaluator {
 public:
  // `data` holds the train and valid splits (test is not used); it is shared
  // read-only by concurrent evaluations. `recipe.seed` is replaced by each
  // request's seed.
  TrainEvaluator(std::shared_ptr<const train::DataSplits> data, const TrainRecipe& recipe)
      : data_(std::move(data)), recipe_(recipe) {}

  // Metrics "accuracy" and "loss" (validation), "train_time_s". A candidate
  // whose loss or gradient turns non-finite, that cannot be built, or whose
  // input channels differ from the data's fails with the reason. Candidates
  // whose input resolution differs from the data's see a bilinearly resized
  // copy (made once per resolution). Deterministic in (request.seed, the
  // data, the thread count).
  EvalResult evaluate(const EvalRequest& request) override;
  // Its kernels already use every thread (docs/evaluators.md has the
  // measurement that chose 1).
  int preferred_parallelism() const override { return 1; }

 private:
  // The data at the architecture's input size.
  std::shared_ptr<const train::DataSplits> data_at(int64_t height, int64_t width);

  std::shared_ptr<const train::DataSplits> data_;
  TrainRecipe recipe_;
  std::mutex resized_mutex_;
  std::map<std::pair<int64_t, int64_t>, std::shared_ptr<const train::DataSplits>> resized_;
};

// Loads the experiment's dataset once (search splits, seeded by the
// experiment's seed) and checks that the space's inputs fit it; errors point
// at the experiment's dataset section.
Result<std::unique_ptr<Evaluator>> make_train_evaluator(const config::TrainConfig& config,
                                                        const EvaluatorContext& context);

}  // namespace nas::eval
