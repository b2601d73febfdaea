// CIFAR-10 (32x32x3, 10 classes) in its binary format: each record is one
// label byte followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
// row-major), in data_batch_1.bin .. data_batch_5.bin and test_batch.bin.
#pragma once

#include <filesystem>

#include "nas/train/data/dataset.h"

namespace nas::train {

inline constexpr int64_t kCifar10RecordBytes = 1 + 32 * 32 * 3;

// Loads the train (the five data batches, in order) or test split from
// `folder`, converting to NHWC with pixels scaled to [0, 1]. Fails naming the
// folder and the expected file names when a file is missing, and naming the
// file when its size is not a multiple of 3073 bytes or a label exceeds 9.
Result<Dataset> load_cifar10(DataSplit split, const std::filesystem::path& folder);

}  // namespace nas::train
