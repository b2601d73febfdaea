#include "nas/train/data/batch_loader.h"

#include <gtest/gtest.h>

#include <set>

#include "ops/core/parallel.h"

namespace nas::train {
namespace {

// n images of h x w x c; pixel values encode (image, position) so any
// reordering or mix-up shows. Image i has label i % 10.
Dataset indexed(int64_t n, int64_t h = 4, int64_t w = 4, int64_t c = 1) {
  Dataset d;
  d.name = "indexed";
  d.height = h;
  d.width = w;
  d.channels = c;
  d.num_classes = 10;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < h * w * c; ++k)
      d.images.push_back(static_cast<float>(i * 1000 + k + 1));
    d.labels.push_back(static_cast<int32_t>(i % 10));
  }
  return d;
}

struct EpochRecord {
  std::vector<std::vector<float>> inputs;
  std::vector<std::vector<int32_t>> labels;
  bool operator==(const EpochRecord&) const = default;
};

EpochRecord run_epoch(BatchLoader& loader, int64_t epoch) {
  EpochRecord r;
  loader.start_epoch(epoch);
  int64_t k = 0;
  while (const Batch* b = loader.next()) {
    EXPECT_EQ(b->index, k++);
    r.inputs.emplace_back(b->inputs.data(), b->inputs.data() + b->inputs.numel());
    r.labels.push_back(b->labels);
    EXPECT_EQ(b->targets.shape(), (ops::Shape{b->size()}));
    for (int64_t j = 0; j < b->size(); ++j)
      EXPECT_EQ(b->targets.data()[j], static_cast<float>(b->labels[j]));
  }
  EXPECT_EQ(k, loader.batches_per_epoch());
  return r;
}

std::unique_ptr<BatchLoader> make(const Dataset& d, const LoaderOptions& o) {
  Result<std::unique_ptr<BatchLoader>> l = BatchLoader::create(d, o);
  EXPECT_TRUE(l) << l.status().message();
  return l.take();
}

TEST(BatchLoader, EachEpochIsAPermutationWithAShortLastBatch) {
  const Dataset d = indexed(23);
  LoaderOptions o;
  o.batch_size = 5;
  auto loader = make(d, o);
  EXPECT_EQ(loader->batches_per_epoch(), 5);
  const EpochRecord r = run_epoch(*loader, 0);
  ASSERT_EQ(r.inputs.size(), 5u);
  EXPECT_EQ(r.labels.back().size(), 3u);
  std::set<int64_t> seen;
  for (std::size_t b = 0; b < r.inputs.size(); ++b) {
    const int64_t n = static_cast<int64_t>(r.labels[b].size());
    ASSERT_EQ(static_cast<int64_t>(r.inputs[b].size()), n * 16);
    for (int64_t j = 0; j < n; ++j) {
      const int64_t id = static_cast<int64_t>(r.inputs[b][j * 16]) / 1000;
      EXPECT_EQ(r.labels[b][j], id % 10);  // label travels with its image
      seen.insert(id);
    }
  }
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(loader->next(), nullptr);  // stays finished
}

TEST(BatchLoader, OrderFixedBySeedAndEpoch) {
  const Dataset d = indexed(40);
  LoaderOptions o;
  o.batch_size = 8;
  o.seed = 11;
  auto a = make(d, o), b = make(d, o);
  const EpochRecord a0 = run_epoch(*a, 0), a1 = run_epoch(*a, 1);
  EXPECT_EQ(run_epoch(*b, 1), a1);  // epochs can be visited in any order
  EXPECT_EQ(run_epoch(*b, 0), a0);
  EXPECT_NE(a0, a1);
  o.seed = 12;
  EXPECT_NE(run_epoch(*make(d, o), 0), a0);
  o.shuffle = false;
  const EpochRecord plain = run_epoch(*make(d, o), 3);
  EXPECT_EQ(plain.labels[0], (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(BatchLoader, SameBatchesWithOneOrTwoThreadsAndAnyPrefetch) {
  const Dataset d = indexed(50, 6, 6, 2);
  LoaderOptions o;
  o.batch_size = 7;
  o.seed = 3;
  o.augment.crop_padding = 2;
  o.augment.horizontal_flip = true;
  const int saved = ops::num_threads();
  ops::set_num_threads(1);
  const EpochRecord one = run_epoch(*make(d, o), 2);
  ops::set_num_threads(2);
  const EpochRecord two = run_epoch(*make(d, o), 2);
  o.prefetch = 0;
  const EpochRecord sync = run_epoch(*make(d, o), 2);
  o.prefetch = 5;
  const EpochRecord deep = run_epoch(*make(d, o), 2);
  ops::set_num_threads(saved);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, sync);
  EXPECT_EQ(one, deep);
  o.augment = {};
  o.prefetch = 2;
  EXPECT_NE(run_epoch(*make(d, o), 2), one);  // augmentation did change the pixels
}

TEST(BatchLoader, ReusesItsBuffers) {
  const Dataset d = indexed(64);
  LoaderOptions o;
  o.batch_size = 4;
  o.prefetch = 2;
  auto loader = make(d, o);
  std::set<const float*> buffers;
  for (int epoch = 0; epoch < 3; ++epoch) {
    loader->start_epoch(epoch);
    while (const Batch* b = loader->next()) buffers.insert(b->inputs.data());
  }
  EXPECT_EQ(buffers.size(), 3u);  // prefetch + 1 slots
  EXPECT_GE(loader->wait_seconds(), 0.0);
}

TEST(BatchLoader, CountsTimeSpentPreparingInline) {
  const Dataset d = indexed(2000, 16, 16, 3);
  LoaderOptions o;
  o.batch_size = 100;
  o.prefetch = 0;
  o.augment.crop_padding = 4;
  auto loader = make(d, o);
  EXPECT_EQ(loader->wait_seconds(), 0.0);
  run_epoch(*loader, 0);
  EXPECT_GT(loader->wait_seconds(), 0.0);
}

TEST(BatchLoader, DropLastAndSequenceLayouts) {
  const Dataset d = indexed(10, 4, 4, 3);
  LoaderOptions o;
  o.batch_size = 4;
  o.drop_last = true;
  o.layout = SequenceLayout::kRows;
  auto rows = make(d, o);
  EXPECT_EQ(rows->batches_per_epoch(), 2);
  rows->start_epoch(0);
  EXPECT_EQ(rows->next()->inputs.shape(), (ops::Shape{4, 4, 12}));
  o.layout = SequenceLayout::kPatches;
  o.patch_size = 2;
  auto patches = make(d, o);
  patches->start_epoch(0);
  EXPECT_EQ(patches->next()->inputs.shape(), (ops::Shape{4, 4, 12}));
}

TEST(BatchLoader, RejectsBadOptions) {
  const Dataset d = indexed(10);
  LoaderOptions o;
  o.batch_size = 0;
  EXPECT_FALSE(BatchLoader::create(d, o));
  o.batch_size = 11;
  o.drop_last = true;
  EXPECT_FALSE(BatchLoader::create(d, o));
  o.drop_last = false;
  o.layout = SequenceLayout::kPatches;
  o.patch_size = 3;
  Result<std::unique_ptr<BatchLoader>> r = BatchLoader::create(d, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("patch size 3"), std::string::npos);
}

}  // namespace
}  // namespace nas::train
