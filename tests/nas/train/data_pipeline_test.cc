#include "nas/train/data/data_pipeline.h"

#include <gtest/gtest.h>

namespace nas::train {
namespace {

DataPipelineOptions synthetic_options() {
  DataPipelineOptions o;
  o.kind = DatasetKind::kSynthetic;
  o.synthetic.size = 200;
  o.synthetic.channels = 2;
  o.split.valid_size = 40;
  o.split.train_subset = 100;
  o.split.seed = 5;
  return o;
}

TEST(DataPipeline, NamesRoundTripAndUnknownListsValid) {
  for (DatasetKind k : {DatasetKind::kFashionMnist, DatasetKind::kCifar10, DatasetKind::kSynthetic})
    EXPECT_EQ(dataset_kind_from_name(dataset_kind_name(k)).value(), k);
  Result<DatasetKind> r = dataset_kind_from_name("mnist");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(),
            "unknown dataset \"mnist\" (expected one of fashion_mnist, cifar10, synthetic)");
}

TEST(DataPipeline, SplitsResizesAndNormalisesByTrainStats) {
  DataPipelineOptions o = synthetic_options();
  o.resize_height = 12;
  o.resize_width = 10;
  Result<PreparedData> p = prepare_data(o);
  ASSERT_TRUE(p) << p.status().message();
  const DataSplits& s = p->splits;
  EXPECT_EQ(s.train.size(), 100);
  EXPECT_EQ(s.valid.size(), 40);
  EXPECT_EQ(s.test.size(), 40);
  for (const Dataset* d : {&s.train, &s.valid, &s.test}) {
    EXPECT_EQ(d->height, 12);
    EXPECT_EQ(d->width, 10);
    EXPECT_TRUE(d->validate());
  }
  const ChannelStats after = channel_stats(s.train);
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(after.mean[c], 0.0f, 1e-5);
    EXPECT_NEAR(after.stddev[c], 1.0f, 1e-4);
    EXPECT_GT(p->stats.stddev[c], 0.0f);
  }
  // Valid and test are normalised with the train statistics, not their own.
  EXPECT_GT(std::abs(channel_stats(s.test).mean[0]), 0.0f);
  Result<PreparedData> again = prepare_data(o);
  EXPECT_EQ(again->splits.valid.images, s.valid.images);
}

TEST(DataPipeline, Errors) {
  DataPipelineOptions o = synthetic_options();
  o.split.train_subset = 1000;
  EXPECT_FALSE(prepare_data(o));
  o = synthetic_options();
  o.resize_height = 4;
  EXPECT_FALSE(prepare_data(o));
  o = {};
  o.kind = DatasetKind::kCifar10;
  Result<PreparedData> r = prepare_data(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("no folder given"), std::string::npos);
  o.kind = DatasetKind::kFashionMnist;
  o.folder = "/nonexistent/fm";
  r = prepare_data(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("apt-get install dataset-fashion-mnist"), std::string::npos);
}

}  // namespace
}  // namespace nas::train
