#include "nas/eval/experiment_data.h"

namespace nas::eval {
namespace {

Result<train::DataPipelineOptions> base_options(const config::DatasetSpec& dataset) {
  auto kind = train::dataset_kind_from_name(dataset.name.value);
  if (!kind)
    return Status::error(config::Diagnostic{dataset.name.where, kind.status().message()}.str());
  train::DataPipelineOptions o;
  o.kind = kind.value();
  if (dataset.path) o.folder = dataset.path->value;
  return o;
}

}  // namespace

Result<train::DataPipelineOptions> search_data_options(const config::DatasetSpec& dataset,
                                                       uint64_t split_seed) {
  auto o = base_options(dataset);
  if (!o) return o;
  o->split.valid_size = dataset.valid_subset.value_or(kDefaultValidSize);
  o->split.train_subset = dataset.train_subset.value_or(0);
  // A search never looks at the test split: keep a single image of it so
  // that no memory or normalisation time goes to the rest.
  o->split.test_subset = 1;
  o->split.seed = split_seed;
  return o;
}

Result<train::DataPipelineOptions> retrain_data_options(const config::DatasetSpec& dataset,
                                                        int64_t train_subset, uint64_t seed) {
  auto o = base_options(dataset);
  if (!o) return o;
  o->split.valid_size = 0;
  o->split.train_subset = train_subset;
  o->split.test_subset = 0;
  o->split.seed = seed;
  return o;
}

}  // namespace nas::eval
