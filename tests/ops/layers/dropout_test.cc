#include "ops/layers/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

OpAttrs prob(float p) {
  OpAttrs a;
  a.probability = p;
  return a;
}

TEST(Dropout, InvertedScalingAndDropRate) {
  const Shape shape{4, 32, 32, 24};  // 98304 elements
  OpTester t("dropout");
  t.input(shape).attrs(prob(0.3f)).seed(11);
  const Tensor y = t.forward()[0];
  const Tensor& x = t.inputs()[0];
  int64_t dropped = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const bool keep = dropout_keep(11, i, 0.3f);
    ASSERT_EQ(y.data()[i], keep ? x.data()[i] * (1.0f / 0.7f) : 0.0f) << i;
    dropped += !keep;
  }
  // Binomial: sd = sqrt(n p (1-p)) ~ 144; allow 5 sd.
  EXPECT_NEAR(double(dropped), 0.3 * y.numel(), 720.0);
}

TEST(Dropout, MaskDependsOnSeedOnlyAndNotOnThreads) {
  OpTester t("dropout");
  t.input({4, 32, 32, 24}).attrs(prob(0.5f)).seed(5);
  EXPECT_TRUE(t.check_deterministic({1, 2, 3}));
  int64_t same = 0;
  for (int64_t i = 0; i < 10000; ++i) same += dropout_keep(5, i, 0.5f) == dropout_keep(6, i, 0.5f);
  EXPECT_NEAR(double(same), 5000.0, 300.0);  // another seed: an unrelated mask
}

TEST(Dropout, IdentityInInferenceAndAtZeroProbability) {
  for (bool training : {false, true}) {
    OpTester t("dropout");
    t.input({2, 3, 4, 5}).attrs(prob(training ? 0.0f : 0.5f)).training(training);
    EXPECT_TRUE(t.check_forward(
        [](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
          return std::vector<std::vector<double>>{op_testing::to_double(in[0])};
        },
        0, 0));
  }
}

TEST(Dropout, CostAndCreationErrors) {
  OpTester t("dropout");
  t.input({2, 3, 4, 5}).attrs(prob(0.2f));
  EXPECT_EQ(t.op().cost().flops_other, 120);
  EXPECT_EQ(t.op().cost().bytes_read, 480);
  for (float p : {1.0f, -0.1f}) {
    OpTester bad("dropout");
    bad.input({2, 3}).attrs(prob(p));
    EXPECT_FALSE(bad.create().is_ok()) << p;
  }
}

}  // namespace
}  // namespace nas::ops
