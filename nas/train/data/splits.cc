#include "nas/train/data/splits.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "nas/train/rng.h"

namespace nas::train {
namespace {

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  Rng rng(seed);
  rng.shuffle(std::span<int64_t>(p));
  return p;
}

Dataset pick(const Dataset& data, std::vector<int64_t>::const_iterator begin,
             std::vector<int64_t>::const_iterator end, const std::string& suffix) {
  std::vector<int64_t> idx(begin, end);
  // Original order keeps a part independent of how the loader will shuffle it.
  std::sort(idx.begin(), idx.end());
  Dataset out = select(data, idx);
  out.name = data.name + suffix;
  return out;
}

}  // namespace

Dataset random_subset(const Dataset& data, int64_t count, uint64_t seed) {
  if (count <= 0 || count >= data.size()) return data;
  const std::vector<int64_t> p = permutation(data.size(), mix_seed(seed, 3));
  return pick(data, p.begin(), p.begin() + count, "");
}

Result<DataSplits> make_splits(const Dataset& train_full, const Dataset& test_full,
                               const SplitOptions& o) {
  const std::string what = "failed to split dataset " + train_full.name + ": ";
  if (o.valid_size < 0 || o.train_subset < 0 || o.test_subset < 0)
    return Status::error(what + "valid_size, train_subset and test_subset must be >= 0");
  if (o.valid_size >= train_full.size())
    return Status::error(what + "valid_size " + std::to_string(o.valid_size) +
                         " leaves no training images (train set has " +
                         std::to_string(train_full.size()) + ")");
  const int64_t remaining = train_full.size() - o.valid_size;
  if (o.train_subset > remaining)
    return Status::error(what + "train_subset " + std::to_string(o.train_subset) + " exceeds the " +
                         std::to_string(remaining) + " images left after valid_size " +
                         std::to_string(o.valid_size));
  if (o.test_subset > test_full.size())
    return Status::error(what + "test_subset " + std::to_string(o.test_subset) +
                         " exceeds the test set's " + std::to_string(test_full.size()) + " images");
  const std::vector<int64_t> p = permutation(train_full.size(), mix_seed(o.seed, 1));
  const int64_t train_count = o.train_subset > 0 ? o.train_subset : remaining;
  DataSplits s;
  s.valid = pick(train_full, p.begin(), p.begin() + o.valid_size, "[valid]");
  s.train =
      pick(train_full, p.begin() + o.valid_size, p.begin() + o.valid_size + train_count, "[train]");
  s.test = random_subset(test_full, o.test_subset, mix_seed(o.seed, 2));
  return s;
}

}  // namespace nas::train
