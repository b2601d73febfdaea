#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::index4;
using op_testing::OpTester;

op_testing::ReferenceFn se_reference(bool sigmoid_gate) {
  return [=](const std::vector<Tensor>& in, const std::vector<Tensor>& p) {
    const Shape& s = in[0].shape();
    const int64_t n = s[0], hw = s[1] * s[2], c = s[3], cr = p[1].numel();
    std::vector<double> y(in[0].numel());
    for (int64_t b = 0; b < n; ++b) {
      std::vector<double> pooled(c, 0.0), z(cr), g(c);
      for (int64_t q = 0; q < hw; ++q)
        for (int64_t j = 0; j < c; ++j) pooled[j] += in[0].data()[(b * hw + q) * c + j] / hw;
      for (int64_t r = 0; r < cr; ++r) {
        double acc = p[1].data()[r];
        for (int64_t j = 0; j < c; ++j) acc += double(p[0].data()[r * c + j]) * pooled[j];
        z[r] = std::max(acc, 0.0);
      }
      for (int64_t j = 0; j < c; ++j) {
        double acc = p[3].data()[j];
        for (int64_t r = 0; r < cr; ++r) acc += double(p[2].data()[j * cr + r]) * z[r];
        g[j] = sigmoid_gate ? 1.0 / (1.0 + std::exp(-acc))
                            : std::min(std::max(acc + 3.0, 0.0), 6.0) / 6.0;
      }
      for (int64_t q = 0; q < hw; ++q)
        for (int64_t j = 0; j < c; ++j)
          y[(b * hw + q) * c + j] = in[0].data()[(b * hw + q) * c + j] * g[j];
    }
    return std::vector<std::vector<double>>{y};
  };
}

TEST(SqueezeExcitation, MatchesReferenceForBothGates) {
  for (bool sig : {true, false})
    for (const Shape& shape : {Shape{2, 3, 4, 8}, Shape{3, 5, 1, 12}, Shape{1, 2, 2, 3}}) {
      OpTester t(sig ? "squeeze_excitation" : "squeeze_excitation_hsigmoid");
      t.input(shape);
      EXPECT_TRUE(t.check_forward(se_reference(sig), 1e-5, 1e-4)) << shape.str();
    }
}

TEST(SqueezeExcitation, ReductionRatioAndHandComputedCost) {
  OpAttrs a;
  a.se_reduction = 4;
  OpTester t("squeeze_excitation");
  t.input({2, 3, 3, 8}).attrs(a);
  ASSERT_EQ(t.op().param_specs()[0].shape, (Shape{2, 8}));  // Cr = 8 / 4
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.macs, 64);          // 2 * N*C*Cr = 2*2*8*2
  EXPECT_EQ(c.params, 42);        // 16 + 2 + 16 + 8
  EXPECT_EQ(c.flops_other, 392);  // 2*144 + 16 + 8 + 16 + 16*4
  EXPECT_EQ(c.bytes_read, 4 * (144 + 42));
  EXPECT_EQ(c.bytes_written, 4 * 144);
  a.se_reduction = 16;  // Cr would be 0: clamped to 1
  OpTester small("squeeze_excitation_hsigmoid");
  small.input({1, 2, 2, 8}).attrs(a);
  EXPECT_EQ(small.op().param_specs()[0].shape, (Shape{1, 8}));
}

TEST(SqueezeExcitation, GradientsOnALargerBatchAndDeterminism) {
  OpTester t("squeeze_excitation");
  t.input({5, 4, 3, 16});
  EXPECT_TRUE(t.check_gradients());
  OpTester d("squeeze_excitation_hsigmoid");
  d.input({8, 8, 8, 32});
  EXPECT_TRUE(d.check_deterministic({1, 2, 3}));
}

TEST(SqueezeExcitation, CreationErrors) {
  OpTester flat("squeeze_excitation");
  flat.input({2, 8});
  EXPECT_FALSE(flat.create().is_ok());
  OpAttrs a;
  a.se_reduction = 0;
  OpTester zero("squeeze_excitation");
  zero.input({2, 2, 2, 8}).attrs(a);
  EXPECT_FALSE(zero.create().is_ok());
}

}  // namespace
}  // namespace nas::ops
