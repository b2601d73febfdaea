// From an experiment's `dataset:` section to the data pipeline's options,
// shared by the train evaluator and `nas extract`.
#pragma once

#include <cstdint>

#include "nas/config/experiment.h"
#include "nas/train/data/data_pipeline.h"

namespace nas::eval {

// Validation images carved from the training set when `valid_subset` is unset.
inline constexpr int64_t kDefaultValidSize = 10000;

// Search-time splits (the train evaluator): valid = valid_subset (default
// kDefaultValidSize) images carved from the published training set by a
// permutation seeded with `split_seed`; train = the next train_subset
// (default: all the rest); the test set is not used by the search.
// Fails, pointing at the dataset's name, on a name the pipeline lacks.
Result<train::DataPipelineOptions> search_data_options(const config::DatasetSpec& dataset,
                                                       uint64_t split_seed);

// Retraining splits (`nas extract`): the whole published training set
// (or its first `train_subset` of a seeded permutation when > 0), no
// validation set, and the whole test set.
Result<train::DataPipelineOptions> retrain_data_options(const config::DatasetSpec& dataset,
                                                        int64_t train_subset, uint64_t seed);

}  // namespace nas::eval
