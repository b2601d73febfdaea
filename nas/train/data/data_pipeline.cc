#include "nas/train/data/data_pipeline.h"

#include <algorithm>
#include <string>

#include "nas/train/data/cifar10.h"
#include "nas/train/data/fashion_mnist.h"
#include "nas/train/data/resize.h"

namespace nas::train {
namespace {

constexpr DatasetKind kKinds[] = {DatasetKind::kFashionMnist, DatasetKind::kCifar10,
                                  DatasetKind::kSynthetic};

struct TrainTest {
  Dataset train, test;
};

Result<TrainTest> load(const DataPipelineOptions& o) {
  TrainTest tt;
  switch (o.kind) {
    case DatasetKind::kFashionMnist: {
      const std::filesystem::path folder = o.folder.empty() ? kFashionMnistDefaultDir : o.folder;
      Result<Dataset> train = load_fashion_mnist(DataSplit::kTrain, folder);
      if (!train) return train.status();
      Result<Dataset> test = load_fashion_mnist(DataSplit::kTest, folder);
      if (!test) return test.status();
      tt.train = train.take();
      tt.test = test.take();
      return tt;
    }
    case DatasetKind::kCifar10: {
      if (o.folder.empty())
        return Status::error(
            "failed to load CIFAR-10: no folder given (expected one holding the binary version: "
            "data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
      Result<Dataset> train = load_cifar10(DataSplit::kTrain, o.folder);
      if (!train) return train.status();
      Result<Dataset> test = load_cifar10(DataSplit::kTest, o.folder);
      if (!test) return test.status();
      tt.train = train.take();
      tt.test = test.take();
      return tt;
    }
    case DatasetKind::kSynthetic: {
      SyntheticOptions s = o.synthetic;
      tt.train = make_synthetic(s);
      tt.train.name = "synthetic/train";
      s.size = std::max<int64_t>(1, s.size / 5);
      s.seed = o.synthetic.seed + 1;
      tt.test = make_synthetic(s);
      tt.test.name = "synthetic/test";
      return tt;
    }
  }
  NAS_CHECK(false);
  return Status::error("unreachable");
}

}  // namespace

const char* dataset_kind_name(DatasetKind kind) {
  switch (kind) {
    case DatasetKind::kFashionMnist:
      return "fashion_mnist";
    case DatasetKind::kCifar10:
      return "cifar10";
    case DatasetKind::kSynthetic:
      return "synthetic";
  }
  NAS_CHECK(false);
  return "";
}

Result<DatasetKind> dataset_kind_from_name(std::string_view name) {
  std::string valid;
  for (DatasetKind k : kKinds) {
    if (name == dataset_kind_name(k)) return k;
    valid += std::string(valid.empty() ? "" : ", ") + dataset_kind_name(k);
  }
  return Status::error("unknown dataset \"" + std::string(name) + "\" (expected one of " + valid +
                       ")");
}

Result<PreparedData> prepare_data(const DataPipelineOptions& o) {
  if ((o.resize_height != 0 || o.resize_width != 0) &&
      (o.resize_height <= 0 || o.resize_width <= 0))
    return Status::error("failed to resize dataset " + std::string(dataset_kind_name(o.kind)) +
                         " to " + std::to_string(o.resize_height) + "x" +
                         std::to_string(o.resize_width) + ": both sides must be positive");
  PreparedData out;
  {  // the full sets are dropped at the end of this block
    Result<TrainTest> loaded = load(o);
    if (!loaded) return loaded.status();
    Result<DataSplits> split = make_splits(loaded->train, loaded->test, o.split);
    if (!split) return split.status();
    out.splits = split.take();
  }
  DataSplits& s = out.splits;
  if (o.resize_height > 0) {
    // After subsetting, so only the images kept are resized.
    s.train = resize_dataset(s.train, o.resize_height, o.resize_width);
    s.valid = resize_dataset(s.valid, o.resize_height, o.resize_width);
    s.test = resize_dataset(s.test, o.resize_height, o.resize_width);
  }
  if (o.normalize) {
    out.stats = channel_stats(s.train);
    normalize(s.train, out.stats);
    normalize(s.valid, out.stats);
    normalize(s.test, out.stats);
  } else {
    out.stats.mean.assign(s.train.channels, 0.0f);
    out.stats.stddev.assign(s.train.channels, 1.0f);
  }
  return out;
}

}  // namespace nas::train
