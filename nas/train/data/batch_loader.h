// BatchLoader: turns a Dataset into mini-batches for the training loop.
// The sample order of an epoch is a permutation seeded by (seed, epoch);
// augmentation is seeded per sample position. Batches are prepared ahead as
// tasks on the project's TBB arena (ops/core/parallel.h) into a ring of
// reused buffers, so the training step does not wait for data and no memory
// is allocated after create(). What a batch holds depends only on the
// options, the epoch and its index: never on thread count or timing.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nas/train/data/augment.h"
#include "nas/train/data/dataset.h"
#include "nas/train/data/sequence_view.h"
#include "ops/core/tensor.h"

namespace nas::train {

struct LoaderOptions {
  int64_t batch_size = 128;
  bool shuffle = true;     // false: dataset order every epoch
  bool drop_last = false;  // drop the last, smaller batch of an epoch
  uint64_t seed = 0;       // order and augmentation
  AugmentOptions augment;  // default: none (valid / test loaders)
  SequenceLayout layout = SequenceLayout::kImage;
  int64_t patch_size = 0;  // for SequenceLayout::kPatches
  int prefetch = 2;        // batches prepared ahead; 0 = prepared inside next()
};

struct Batch {
  int64_t index = 0;            // position within the epoch
  ops::Tensor inputs;           // [n,H,W,C], or the LoaderOptions::layout of it
  ops::Tensor targets;          // [n]: the labels as floats, as softmax_cross_entropy takes them
  std::vector<int32_t> labels;  // n class indices
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

class BatchLoader {
 public:
  // Borrows `data`: it must outlive the loader and stay unchanged. Fails on
  // an invalid dataset or options (batch_size <= 0, prefetch outside 0..16,
  // patch size not dividing the image, no full batch with drop_last).
  // Batches are prepared on the project's arena: do not call
  // ops::set_num_threads while an epoch has batches in flight.
  static Result<std::unique_ptr<BatchLoader>> create(const Dataset& data,
                                                     const LoaderOptions& options);
  // A temporary dataset would dangle.
  static Result<std::unique_ptr<BatchLoader>> create(Dataset&&, const LoaderOptions&) = delete;
  ~BatchLoader();  // waits for batches in flight
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t batches_per_epoch() const { return batches_; }
  // Seconds the consumer spent inside next() waiting for (or, with prefetch
  // 0, preparing) batches since create(): the training loop's data stall.
  // Timing only; it never influences a batch.
  double wait_seconds() const { return wait_seconds_; }
  const LoaderOptions& options() const { return options_; }

  // Begins epoch `epoch` (any order of epochs is allowed; the same epoch
  // number gives the same batches) and queues its first batches.
  void start_epoch(int64_t epoch);
  // The next batch of the current epoch, or nullptr when the epoch is over
  // (or none was started). The batch, and the buffers its tensors view, stay
  // valid until the next call of next() or start_epoch(), or destruction.
  // Not thread-safe: one consumer.
  const Batch* next();

 private:
  struct Slot;
  BatchLoader(const Dataset& data, const LoaderOptions& options);
  void issue_ahead();
  void prepare(int64_t k, Slot& slot) const;
  void wait(Slot& slot);
  void drain();

  const Dataset& data_;
  LoaderOptions options_;
  int64_t batches_ = 0;
  int64_t epoch_ = 0;
  std::vector<int64_t> order_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int64_t next_to_issue_ = 0;
  int64_t next_to_return_ = 0;
  bool started_ = false;
  double wait_seconds_ = 0.0;
};

}  // namespace nas::train
