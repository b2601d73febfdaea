#include "nas/train/trainer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "nas/train/data/synthetic.h"
#include "ops/layers/batch_norm.h"

namespace nas::train {
namespace {

// conv8x8 16 (valid: it sees the whole image) - BN - ReLU - global pool -
// linear 4 over 8x8x1 synthetic images, whose classes differ per pixel.
Result<graph::NetworkSpec> tiny_cnn(int64_t batch) {
  graph::NetworkSpec s;
  s.add_input("input", {batch, 8, 8, 1});
  ops::OpAttrs conv;
  conv.out_channels = 16;
  conv.kernel = 8;
  conv.padding = 0;
  if (auto r = s.then("conv", "conv2d", conv); !r) return r.status();
  if (auto r = s.then("bn", "batch_norm"); !r) return r.status();
  if (auto r = s.then("relu", "relu"); !r) return r.status();
  if (auto r = s.then("pool", "global_avg_pool"); !r) return r.status();
  ops::OpAttrs fc;
  fc.out_channels = 4;
  fc.bias = true;
  if (auto r = s.then("fc", "linear", fc); !r) return r.status();
  return s;
}

struct Data {
  Dataset train, test;
  Data() {
    SyntheticOptions o;
    o.size = 512;
    o.noise = 0.3f;
    train = make_synthetic(o);
    o.size = 256;
    o.seed = 1;
    test = make_synthetic(o);
  }
};

TrainOptions options() {
  TrainOptions t;
  t.epochs = 4;
  t.batch_size = 32;
  t.eval_batch_size = 100;  // 256 = 2 x 100 + 56: a remainder batch too
  t.optimizer.kind = OptimizerKind::kSgd;
  t.optimizer.momentum = 0.9f;
  t.optimizer.nesterov = true;
  t.schedule.kind = LrScheduleKind::kCosine;
  t.schedule.base_lr = 0.1f;
  t.seed = 3;
  return t;
}

TEST(Trainer, LearnsTheSyntheticTask) {
  Data d;
  auto t = Trainer::create(tiny_cnn, options(), d.train.size(), 4).take();
  auto before = t->evaluate(d.test).take();
  auto history = t->fit(d.train);
  ASSERT_TRUE(history) << history.status().message();
  ASSERT_EQ(history->size(), 4u);
  EXPECT_LT(history->back().loss, history->front().loss);
  auto after = t->evaluate(d.test).take();
  EXPECT_EQ(after.examples, 256);
  EXPECT_GT(after.accuracy, 0.9) << "before " << before.accuracy;
  EXPECT_LT(after.loss, before.loss);
}

TEST(Trainer, SameSeedSameWeightsBitForBit) {
  Data d;
  auto a = Trainer::create(tiny_cnn, options(), d.train.size(), 4).take();
  auto b = Trainer::create(tiny_cnn, options(), d.train.size(), 4).take();
  ASSERT_TRUE(a->fit(d.train));
  ASSERT_TRUE(b->fit(d.train));
  const auto ta = a->named_tensors(), tb = b->named_tensors();
  ASSERT_EQ(ta.size(), tb.size());
  ASSERT_GE(ta.size(), 6u);  // conv, bn gamma/beta, fc weight/bias, bn running stats
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].first, tb[i].first);
    EXPECT_EQ(0, std::memcmp(ta[i].second.data(), tb[i].second.data(), ta[i].second.numel() * 4))
        << ta[i].first;
  }
}

TEST(Trainer, NonFiniteLossFailsTheRunWithoutCrashing) {
  Data d;
  TrainOptions o = options();
  o.schedule.base_lr = 1e30f;
  auto t = Trainer::create(tiny_cnn, o, d.train.size(), 4).take();
  auto r = t->fit(d.train);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("failed to train at step"), std::string::npos)
      << r.status().message();
}

TEST(Trainer, BatchNormRecalibrationReestimatesRunningStats) {
  Data d;
  auto t = Trainer::create(tiny_cnn, options(), d.train.size(), 4).take();
  ASSERT_TRUE(t->fit(d.train));
  const auto acc = t->evaluate(d.test).take().accuracy;
  ASSERT_TRUE(t->recalibrate_batch_norm(d.train, 8).is_ok());
  ops::Tensor mean;
  for (auto& [name, tensor] : t->named_tensors())
    if (name == "bn.running_mean") mean = tensor;
  ASSERT_TRUE(mean.defined());
  EXPECT_NE(mean.data()[0], 0.0f);
  // Re-estimated statistics keep the network about as accurate.
  EXPECT_NEAR(t->evaluate(d.test).take().accuracy, acc, 0.05);
}

TEST(Trainer, RejectsLogitsThatDoNotMatchTheClasses) {
  Data d;
  auto t = Trainer::create(tiny_cnn, options(), d.train.size(), 10);
  ASSERT_FALSE(t);
  EXPECT_NE(t.status().message().find("is not [32, 10] logits"), std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace nas::train
