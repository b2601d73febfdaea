// The data a training run needs, from a dataset name to normalised
// train / valid / test sets: load, split and subset by seed, resize, then
// normalise all three by the train set's statistics. Loading Fashion-MNIST
// takes ~0.5 s: call this once per search and share the result (read-only)
// between candidates.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "nas/train/data/dataset.h"
#include "nas/train/data/normalize.h"
#include "nas/train/data/splits.h"
#include "nas/train/data/synthetic.h"

namespace nas::train {

enum class DatasetKind { kFashionMnist, kCifar10, kSynthetic };

// "fashion_mnist", "cifar10", "synthetic".
const char* dataset_kind_name(DatasetKind kind);
// The kind named `name`; fails listing the valid names.
Result<DatasetKind> dataset_kind_from_name(std::string_view name);

struct DataPipelineOptions {
  DatasetKind kind = DatasetKind::kFashionMnist;
  std::filesystem::path folder;  // empty: Fashion-MNIST's Debian folder; required for CIFAR-10
  SplitOptions split;            // valid carved from train, subsets, seed
  bool normalize = true;         // per-channel mean/std of the (split) train set
  int64_t resize_height = 0;     // 0 = keep the dataset's size; else both must be > 0
  int64_t resize_width = 0;
  // kSynthetic only: train has synthetic.size images drawn with synthetic.seed,
  // test has synthetic.size / 5 (at least 1) drawn with seed + 1, same prototypes.
  SyntheticOptions synthetic;
};

struct PreparedData {
  DataSplits splits;
  ChannelStats stats;  // what was subtracted / divided; identity when normalize = false
};

// Fails with the loader's message (missing folder, corrupt file) or on
// split sizes beyond the data or a bad resize request.
Result<PreparedData> prepare_data(const DataPipelineOptions& options);

}  // namespace nas::train
