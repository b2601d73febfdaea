#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

op_testing::ReferenceFn linear_reference(int64_t n, int64_t in, int64_t out) {
  return [=](const std::vector<Tensor>& x, const std::vector<Tensor>& p) {
    std::vector<double> y(n * out);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t o = 0; o < out; ++o) {
        double acc = p.size() > 1 ? p[1].data()[o] : 0.0;
        for (int64_t k = 0; k < in; ++k)
          acc += double(x[0].data()[i * in + k]) * p[0].data()[o * in + k];
        y[i * out + o] = acc;
      }
    return std::vector<std::vector<double>>{y};
  };
}

TEST(Linear, MatchesReferenceWithAndWithoutBias) {
  struct Case {
    Shape in;
    int64_t out;
    bool bias;
  };
  for (const Case& c : std::vector<Case>{{{3, 5}, 4, true},
                                         {{3, 1, 1, 5}, 7, false},
                                         {{37, 129}, 65, true},  // past the micro-kernel tiles
                                         {{64, 300}, 70, false}}) {
    OpAttrs a;
    a.out_channels = c.out;
    a.bias = c.bias;
    OpTester t("linear");
    t.input(c.in).attrs(a);
    const int64_t n = c.in[0], in = c.in[c.in.rank() - 1];
    EXPECT_TRUE(t.check_forward(linear_reference(n, in, c.out), 1e-4, 1e-4)) << c.in.str();
    EXPECT_EQ(t.op().output_shapes()[0], (Shape{n, c.out}));
  }
}

TEST(Linear, GradientsOnAnUnevenShape) {
  OpAttrs a;
  a.out_channels = 19;
  a.bias = true;
  OpTester t("linear");
  t.input({11, 23}).attrs(a);
  EXPECT_TRUE(t.check_gradients());
}

TEST(Linear, HandComputedCost) {
  OpAttrs a;
  a.out_channels = 4;
  a.bias = true;
  OpTester t("linear");
  t.input({3, 5}).attrs(a);
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.macs, 60);
  EXPECT_EQ(c.flops_other, 12);
  EXPECT_EQ(c.params, 24);
  EXPECT_EQ(c.bytes_read, 4 * (15 + 24));
  EXPECT_EQ(c.bytes_written, 48);
  EXPECT_EQ(t.op().param_specs()[0].shape, (Shape{4, 5}));
  EXPECT_EQ(t.op().param_specs()[0].fan_in, 5);
}

TEST(Linear, DefaultOutputWidthAndCreationErrors) {
  OpTester same("linear");
  same.input({2, 6});
  EXPECT_EQ(same.op().output_shapes()[0], (Shape{2, 6}));
  OpTester spatial("linear");
  spatial.input({2, 3, 3, 4});
  Status st = spatial.create();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'linear'"), std::string::npos);
  EXPECT_NE(st.message().find("[2,3,3,4]"), std::string::npos);
}

}  // namespace
}  // namespace nas::ops
