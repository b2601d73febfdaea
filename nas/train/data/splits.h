// Train / valid / test splits: the validation set is carved out of the
// published train set by a seeded permutation (never from test), then each
// part is cut to its requested subset size.
#pragma once

#include <cstdint>

#include "nas/train/data/dataset.h"

namespace nas::train {

struct SplitOptions {
  int64_t valid_size = 0;    // images moved from train to valid; 0 = no validation set
  int64_t train_subset = 0;  // images kept for training; 0 = all that remain
  int64_t test_subset = 0;   // images kept for testing; 0 = all
  uint64_t seed = 0;         // decides which images go where
};

struct DataSplits {
  Dataset train;
  Dataset valid;
  Dataset test;
};

// Deterministic in (sizes, seed): a seeded permutation of the train set gives
// valid = its first valid_size images and train = the next train_subset; the
// test subset is the first test_subset of another seeded permutation. Each
// part keeps its images in their original relative order. Fails when the
// requested sizes exceed what the sets hold, or when a size is negative.
Result<DataSplits> make_splits(const Dataset& train_full, const Dataset& test_full,
                               const SplitOptions& options);

// `count` images of `data` chosen by a seeded permutation, kept in original
// order; count = 0 or >= size() keeps everything.
Dataset random_subset(const Dataset& data, int64_t count, uint64_t seed);

}  // namespace nas::train
