#include "nas/train/optim/lr_schedule.h"

#include <gtest/gtest.h>

namespace nas::train {
namespace {

LrSchedule make(const LrScheduleConfig& c) {
  Result<LrSchedule> s = LrSchedule::create(c);
  EXPECT_TRUE(s) << s.status().message();
  return s.take();
}

TEST(LrSchedule, ConstantWithLinearWarmup) {
  LrScheduleConfig c;
  c.base_lr = 0.1f;
  c.warmup_steps = 10;
  c.warmup_start_factor = 0.1f;
  const LrSchedule s = make(c);
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.01f);
  EXPECT_FLOAT_EQ(s.lr_at(5), 0.055f);  // 0.1 * (0.1 + 0.9 * 5 / 10)
  EXPECT_FLOAT_EQ(s.lr_at(10), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(1000), 0.1f);
}

TEST(LrSchedule, StepDecayCountsFromTheEndOfWarmup) {
  LrScheduleConfig c;
  c.kind = LrScheduleKind::kStep;
  c.base_lr = 0.1f;
  c.step_size = 30;
  c.gamma = 0.1f;
  LrSchedule s = make(c);
  EXPECT_FLOAT_EQ(s.lr_at(29), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(30), 0.01f);
  EXPECT_FLOAT_EQ(s.lr_at(65), 0.001f);
  c.warmup_steps = 5;
  s = make(c);
  EXPECT_FLOAT_EQ(s.lr_at(34), 0.1f);
  EXPECT_FLOAT_EQ(s.lr_at(35), 0.01f);
}

TEST(LrSchedule, Cosine) {
  LrScheduleConfig c;
  c.kind = LrScheduleKind::kCosine;
  c.base_lr = 0.2f;
  c.total_steps = 100;
  c.final_factor = 0.05f;
  LrSchedule s = make(c);
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.2f);
  EXPECT_FLOAT_EQ(s.lr_at(50), (0.2f + 0.01f) / 2);
  EXPECT_FLOAT_EQ(s.lr_at(100), 0.01f);
  EXPECT_FLOAT_EQ(s.lr_at(500), 0.01f);
  c.warmup_steps = 10;
  c.total_steps = 110;
  s = make(c);
  EXPECT_FLOAT_EQ(s.lr_at(10), 0.2f);
  EXPECT_FLOAT_EQ(s.lr_at(60), 0.105f);
  EXPECT_LT(s.lr_at(9), 0.2f);
}

TEST(LrSchedule, OneCycleRisesThenAnneals) {
  LrScheduleConfig c;
  c.kind = LrScheduleKind::kOneCycle;
  c.base_lr = 1.0f;
  c.total_steps = 100;
  c.warmup_start_factor = 0.04f;  // PyTorch's div_factor 25
  const LrSchedule s = make(c);   // warm-up = 0.3 * 100 steps
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.04f);
  EXPECT_FLOAT_EQ(s.lr_at(15), 0.52f);
  EXPECT_FLOAT_EQ(s.lr_at(30), 1.0f);
  EXPECT_FLOAT_EQ(s.lr_at(65), 0.5f);
  EXPECT_NEAR(s.lr_at(100), 0.0f, 1e-7);
  for (int64_t t = 31; t <= 100; ++t) EXPECT_LE(s.lr_at(t), s.lr_at(t - 1));
}

TEST(LrSchedule, RejectsBadSettings) {
  LrScheduleConfig c;
  c.kind = LrScheduleKind::kCosine;
  c.total_steps = 10;
  c.warmup_steps = 10;
  Result<LrSchedule> r = LrSchedule::create(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().message(),
            "failed to create learning-rate schedule with total_steps 10: must exceed "
            "warmup_steps 10");
  c = {};
  c.kind = LrScheduleKind::kStep;
  EXPECT_FALSE(LrSchedule::create(c));  // step_size 0
  c.step_size = 3;
  c.gamma = 0.0f;
  EXPECT_FALSE(LrSchedule::create(c));
  c = {};
  c.base_lr = -1.0f;
  EXPECT_FALSE(LrSchedule::create(c));
  c = {};
  c.warmup_start_factor = 1.5f;
  EXPECT_FALSE(LrSchedule::create(c));
}

}  // namespace
}  // namespace nas::train
