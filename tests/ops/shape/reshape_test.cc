#include "ops/shape/reshape.h"

#include <gtest/gtest.h>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;
using op_testing::to_double;

OpAttrs target(std::vector<int64_t> shape) {
  OpAttrs a;
  a.shape = std::move(shape);
  return a;
}

TEST(Reshape, KeepsValuesInRowMajorOrder) {
  OpTester t("reshape");
  t.input({2, 3, 4, 5}).attrs(target({3, 20}));
  ASSERT_TRUE(t.create().is_ok());
  EXPECT_EQ(t.op().output_shapes()[0], (Shape{2, 3, 20}));
  EXPECT_TRUE(t.check_forward([](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    return std::vector<std::vector<double>>{to_double(in[0])};
  }, 0.0, 0.0));
}

TEST(Reshape, GradientIsTheOutputGradient) {
  EXPECT_TRUE(OpTester("reshape").input({2, 6, 8}).attrs(target({6, 1, 8})).check_gradients());
  EXPECT_TRUE(OpTester("reshape").input({1, 7, 7, 2}).attrs(target({7, 14})).check_deterministic());
}

TEST(Reshape, CostIsOneReadAndOneWrite) {
  OpTester t("reshape");
  t.input({2, 4, 4, 3}).attrs(target({4, 12}));
  ASSERT_TRUE(t.create().is_ok());
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.macs, 0);
  EXPECT_EQ(c.flops_other, 0);
  EXPECT_EQ(c.params, 0);
  EXPECT_EQ(c.bytes_read, 4 * 96);
  EXPECT_EQ(c.bytes_written, 4 * 96);
  EXPECT_TRUE(t.check_cost_sanity());
}

TEST(Reshape, RejectsBadTargets) {
  const Shape in{2, 3, 4};
  const auto fails = [&](std::vector<int64_t> shape, const std::string& part) {
    auto r = create_reshape(target(std::move(shape)), std::span<const Shape>(&in, 1));
    if (r.is_ok()) return ::testing::AssertionFailure() << "created";
    if (r.status().message().find(part) == std::string::npos)
      return ::testing::AssertionFailure() << r.status().message();
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(fails({}, "shape needs 1 to 5 dimensions, got 0"));
  EXPECT_TRUE(fails({5, 3}, "target [2,5,3] holds 30 values, the input 24"));
  EXPECT_TRUE(fails({-1, 12}, "dimensions must be >= 1"));
  EXPECT_TRUE(fails({1, 1, 1, 1, 1, 12}, "got 6"));
}

}  // namespace
}  // namespace nas::ops
