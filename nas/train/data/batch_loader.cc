#include "nas/train/data/batch_loader.h"

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "nas/train/rng.h"
#include "ops/core/parallel.h"

namespace nas::train {

struct BatchLoader::Slot {
  ops::Tensor images;   // [batch_size,H,W,C]
  ops::Tensor tokens;   // [batch_size,T,F] for kPatches
  ops::Tensor targets;  // [batch_size]
  Batch batch;
  tbb::task_group tasks;
  bool pending = false;
};

Result<std::unique_ptr<BatchLoader>> BatchLoader::create(const Dataset& data,
                                                         const LoaderOptions& o) {
  const std::string what = "failed to create a batch loader for " + data.name + ": ";
  if (Status s = data.validate(); !s) return s;
  if (o.batch_size <= 0)
    return Status::error(what + "batch_size must be positive, got " + std::to_string(o.batch_size));
  if (o.prefetch < 0 || o.prefetch > 16)
    return Status::error(what + "prefetch must be in 0..16, got " + std::to_string(o.prefetch));
  if (o.augment.crop_padding < 0) return Status::error(what + "crop_padding must be >= 0");
  if (o.layout == SequenceLayout::kPatches &&
      (o.patch_size <= 0 || data.height % o.patch_size != 0 || data.width % o.patch_size != 0))
    return Status::error(what + "patch size " + std::to_string(o.patch_size) +
                         " must be positive and divide the image size " +
                         std::to_string(data.height) + "x" + std::to_string(data.width));
  if (data.size() == 0 || (o.drop_last && data.size() < o.batch_size))
    return Status::error(what + "the dataset's " + std::to_string(data.size()) +
                         " images make no full batch of " + std::to_string(o.batch_size));
  return std::unique_ptr<BatchLoader>(new BatchLoader(data, o));
}

BatchLoader::BatchLoader(const Dataset& data, const LoaderOptions& o) : data_(data), options_(o) {
  const int64_t n = data.size(), b = o.batch_size;
  batches_ = o.drop_last ? n / b : (n + b - 1) / b;
  order_.resize(n);
  const ops::Shape image_shape{b, data.height, data.width, data.channels};
  slots_.resize(static_cast<std::size_t>(o.prefetch) + 1);
  for (auto& s : slots_) {
    s = std::make_unique<Slot>();
    s->images = ops::Tensor::zeros(image_shape);
    if (o.layout == SequenceLayout::kPatches)
      s->tokens = ops::Tensor::zeros(sequence_shape(image_shape, o.layout, o.patch_size));
    s->targets = ops::Tensor::zeros({b});
    s->batch.labels.reserve(b);
  }
}

BatchLoader::~BatchLoader() { drain(); }

void BatchLoader::wait(Slot& slot) {
  if (!slot.pending) return;
  ops::run_in_arena([&] { slot.tasks.wait(); });
  slot.pending = false;
}

void BatchLoader::drain() {
  for (auto& s : slots_) wait(*s);
}

void BatchLoader::start_epoch(int64_t epoch) {
  drain();
  epoch_ = epoch;
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.shuffle) {
    Rng rng(mix_seed(options_.seed, 2 * static_cast<uint64_t>(epoch)));
    rng.shuffle(std::span<int64_t>(order_));
  }
  next_to_issue_ = 0;
  next_to_return_ = 0;
  started_ = true;
  issue_ahead();
}

void BatchLoader::prepare(int64_t k, Slot& slot) const {
  const int64_t b = options_.batch_size;
  const int64_t begin = k * b;
  const int64_t n = std::min(b, data_.size() - begin);
  const int64_t per = data_.image_numel();
  // One generator per sample position, so the draws do not depend on which
  // batch a thread prepared before.
  const uint64_t epoch_seed = mix_seed(options_.seed, 2 * static_cast<uint64_t>(epoch_) + 1);
  slot.batch.labels.resize(n);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t i = order_[begin + j];
    float* dst = slot.images.data() + j * per;
    if (options_.augment.enabled()) {
      Rng rng(mix_seed(epoch_seed, static_cast<uint64_t>(begin + j)));
      augment_image(options_.augment, data_.image(i), data_.height, data_.width, data_.channels,
                    dst, rng);
    } else {
      std::copy_n(data_.image(i), per, dst);
    }
    slot.batch.labels[j] = data_.labels[i];
    slot.targets.data()[j] = static_cast<float>(data_.labels[i]);
  }
  slot.batch.index = k;
  slot.batch.targets = slot.targets.slice0(0, n);
  const ops::Tensor images = slot.images.slice0(0, n);
  switch (options_.layout) {
    case SequenceLayout::kImage:
      slot.batch.inputs = images;
      break;
    case SequenceLayout::kRows:
      slot.batch.inputs = rows_as_sequence(images);
      break;
    case SequenceLayout::kPatches:
      slot.batch.inputs = slot.tokens.slice0(0, n);
      patches_as_tokens(images, options_.patch_size, slot.batch.inputs);
      break;
  }
}

void BatchLoader::issue_ahead() {
  if (options_.prefetch == 0) return;  // next() prepares each batch itself
  const int64_t slots = static_cast<int64_t>(slots_.size());
  // Batch k reuses the slot of batch k - slots, which the consumer released
  // once it asked for batch next_to_return_ (k <= next_to_return_ + slots - 1).
  while (next_to_issue_ < batches_ && next_to_issue_ < next_to_return_ + slots) {
    const int64_t k = next_to_issue_++;
    Slot& slot = *slots_[k % slots];
    slot.pending = true;
    // Enqueued (not spawned) so it waits in the arena's shared queue for a
    // free thread instead of in the consumer's local deque.
    ops::run_in_arena([&] {
      tbb::this_task_arena::enqueue(slot.tasks.defer([this, k, &slot] { prepare(k, slot); }));
    });
  }
}

const Batch* BatchLoader::next() {
  if (!started_ || next_to_return_ >= batches_) return nullptr;
  const auto start = std::chrono::steady_clock::now();
  Slot* slot = nullptr;
  if (options_.prefetch == 0) {
    // Prepared synchronously, one at a time.
    slot = slots_[0].get();
    prepare(next_to_return_++, *slot);
  } else {
    issue_ahead();
    slot = slots_[next_to_return_ % static_cast<int64_t>(slots_.size())].get();
    wait(*slot);
    ++next_to_return_;
  }
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return &slot->batch;
}

}  // namespace nas::train
