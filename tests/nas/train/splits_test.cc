#include "nas/train/data/splits.h"

#include <gtest/gtest.h>

#include <set>

namespace nas::train {
namespace {

// n images of 2x2x1 whose every pixel is the image's index: an image tells
// where it came from.
Dataset indexed(int64_t n, const std::string& name) {
  Dataset d;
  d.name = name;
  d.height = d.width = 2;
  d.channels = 1;
  d.num_classes = 3;
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) d.images.push_back(static_cast<float>(i));
    d.labels.push_back(static_cast<int32_t>(i % 3));
  }
  return d;
}

std::vector<int64_t> ids(const Dataset& d) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < d.size(); ++i) out.push_back(static_cast<int64_t>(d.image(i)[0]));
  return out;
}

TEST(Splits, ValidCarvedFromTrainDisjointSortedAndSized) {
  const Dataset train = indexed(100, "t"), test = indexed(40, "test");
  SplitOptions o;
  o.valid_size = 20;
  o.train_subset = 50;
  o.test_subset = 10;
  o.seed = 3;
  Result<DataSplits> s = make_splits(train, test, o);
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->train.size(), 50);
  EXPECT_EQ(s->valid.size(), 20);
  EXPECT_EQ(s->test.size(), 10);
  const std::vector<int64_t> tr = ids(s->train), va = ids(s->valid);
  EXPECT_TRUE(std::is_sorted(tr.begin(), tr.end()));
  EXPECT_TRUE(std::is_sorted(va.begin(), va.end()));
  std::set<int64_t> all(tr.begin(), tr.end());
  all.insert(va.begin(), va.end());
  EXPECT_EQ(all.size(), 70u);  // disjoint
  for (int64_t i = 0; i < s->train.size(); ++i)
    EXPECT_EQ(s->train.labels[i], tr[i] % 3);  // labels travel with their images
}

TEST(Splits, DeterministicBySeed) {
  const Dataset train = indexed(100, "t"), test = indexed(40, "test");
  SplitOptions o;
  o.valid_size = 10;
  o.test_subset = 5;
  const DataSplits a = make_splits(train, test, o).take();
  const DataSplits b = make_splits(train, test, o).take();
  EXPECT_EQ(ids(a.valid), ids(b.valid));
  EXPECT_EQ(ids(a.train), ids(b.train));
  EXPECT_EQ(ids(a.test), ids(b.test));
  EXPECT_EQ(a.train.size(), 90);  // train_subset 0 = all that remain
  o.seed = 1;
  const DataSplits c = make_splits(train, test, o).take();
  EXPECT_NE(ids(a.valid), ids(c.valid));
  EXPECT_NE(ids(a.test), ids(c.test));
}

TEST(Splits, SizesBeyondTheDataFail) {
  const Dataset train = indexed(10, "fm"), test = indexed(4, "test");
  SplitOptions o;
  o.valid_size = 10;
  EXPECT_FALSE(make_splits(train, test, o));
  o.valid_size = 4;
  o.train_subset = 7;
  Result<DataSplits> s = make_splits(train, test, o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.status().message(),
            "failed to split dataset fm: train_subset 7 exceeds the 6 images left after "
            "valid_size 4");
  o.train_subset = 0;
  o.test_subset = 5;
  EXPECT_FALSE(make_splits(train, test, o));
}

TEST(Splits, RandomSubsetKeepsOrder) {
  const Dataset d = indexed(30, "t");
  const Dataset s = random_subset(d, 12, 9);
  ASSERT_EQ(s.size(), 12);
  const std::vector<int64_t> v = ids(s);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(ids(random_subset(d, 12, 9)), v);
  EXPECT_EQ(random_subset(d, 0, 9).size(), 30);
}

}  // namespace
}  // namespace nas::train
