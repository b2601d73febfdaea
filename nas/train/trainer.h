// Trainer: the one training loop. Every evaluator, `nas train` and the
// supernet strategies run through it; DARTS's architecture step and
// once-for-all's subnet sampling plug in as TrainHooks, never as a copy of
// the loop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nas/graph/network.h"
#include "nas/train/data/augment.h"
#include "nas/train/data/dataset.h"
#include "nas/train/optim/lr_schedule.h"
#include "nas/train/optim/optimizer.h"

namespace nas::train {

// Builds the network body (input [batch,H,W,C] -> logits [batch,K]) for a
// batch size; called once per distinct batch size the trainer needs.
using SpecFactory = std::function<Result<graph::NetworkSpec>(int64_t batch)>;

struct TrainOptions {
  int epochs = 1;                 // >= 1
  int64_t batch_size = 128;       // training batches are full (the last partial one is dropped)
  int64_t eval_batch_size = 500;  // evaluation covers every example
  OptimizerConfig optimizer;      // SGD momentum / Nesterov / Adam / AdamW, weight decay
  LrScheduleConfig schedule;      // total_steps is filled in from epochs x batches
  float label_smoothing = 0.0f;
  double clip_grad_norm = 0.0;    // > 0: clip the global gradient norm to this
  AugmentOptions augment;         // training batches only
  uint64_t seed = 0;              // initial weights, batch order, augmentation, dropout
};

struct EpochStats {
  int epoch = 0;            // 1-based
  double loss = 0;          // mean training loss of the epoch
  double accuracy = 0;      // training accuracy of the epoch (on the augmented batches)
  double images_per_s = 0;  // forward + backward + update
  double seconds = 0;
  float last_lr = 0;
};

struct EvalStats {
  double loss = 0;
  double accuracy = 0;
  int64_t examples = 0;
  double seconds = 0;
};

// Callbacks into the loop; the defaults do nothing.
class TrainHooks {
 public:
  virtual ~TrainHooks() = default;
  // Before the forward of 0-based step `step` (DARTS: an architecture step;
  // once-for-all: sample the subnet).
  virtual void before_step(int64_t /*step*/) {}
  virtual void after_epoch(const EpochStats& /*stats*/) {}
};

class Trainer {
 public:
  // Builds the training network (body + softmax cross-entropy) and its
  // optimizer. Fails when the body does not end in [batch, K] logits or an
  // option is out of range.
  static Result<std::unique_ptr<Trainer>> create(SpecFactory factory, const TrainOptions& options,
                                                 int64_t train_examples, int num_classes);

  // Trains for options.epochs. A non-finite loss or gradient ends training
  // with "failed to train at step N: ..." (the weights are then unusable).
  Result<std::vector<EpochStats>> fit(const Dataset& train, TrainHooks* hooks = nullptr);

  // Loss and accuracy of the current weights on every example of `data`,
  // with BatchNorm's running statistics.
  Result<EvalStats> evaluate(const Dataset& data);

  // BatchNorm recalibration: forgets the running statistics and re-estimates
  // them as the plain average over `batches` training-mode forwards on `data`
  // (once-for-all does this for each subnet before evaluating it).
  Status recalibrate_batch_norm(const Dataset& data, int64_t batches);

  // Weights and BatchNorm statistics by stable name ("conv1.weight",
  // "bn1.running_mean"): views, for saving and loading.
  std::vector<std::pair<std::string, ops::Tensor>> named_tensors() const;

  graph::Network& network() { return *net_; }
  const TrainOptions& options() const { return options_; }

 private:
  Trainer(SpecFactory factory, const TrainOptions& options)
      : factory_(std::move(factory)), options_(options) {}
  // The body for `batch` followed by the loss: outputs {loss [1], logits}.
  Result<graph::NetworkSpec> with_loss(int64_t batch, float label_smoothing) const;
  Result<std::unique_ptr<graph::Network>> inference_network(int64_t batch);

  SpecFactory factory_;
  TrainOptions options_;
  int64_t batch_ = 0;
  int num_classes_ = 0;
  std::unique_ptr<graph::Network> net_;
  std::unique_ptr<Optimizer> optimizer_;
  std::vector<std::pair<int64_t, std::unique_ptr<graph::Network>>> eval_nets_;
};

// Copies every parameter and op state tensor of `from` into the
// same-named ones of `to` (networks built from the same body).
void copy_weights(const graph::Network& from, graph::Network& to);

}  // namespace nas::train
