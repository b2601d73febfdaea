#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::index4;
using op_testing::OpTester;

OpAttrs pool(int k, int s, int p) {
  OpAttrs a;
  a.kernel = k;
  a.stride = s;
  a.padding = p;
  return a;
}

// Naive pooling in double; avg divides by the real (non-padding) count.
op_testing::ReferenceFn reference(bool is_max, int k, int s, int p) {
  return [=](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    const Shape& x = in[0].shape();
    const int64_t ho = (x[1] + 2 * p - k) / s + 1, wo = (x[2] + 2 * p - k) / s + 1;
    const Shape y{x[0], ho, wo, x[3]};
    std::vector<double> out(y.numel());
    for (int64_t n = 0; n < x[0]; ++n)
      for (int64_t oh = 0; oh < ho; ++oh)
        for (int64_t ow = 0; ow < wo; ++ow)
          for (int64_t c = 0; c < x[3]; ++c) {
            double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
            int count = 0;
            for (int i = 0; i < k; ++i)
              for (int j = 0; j < k; ++j) {
                const int64_t ih = oh * s - p + i, iw = ow * s - p + j;
                if (ih < 0 || iw < 0 || ih >= x[1] || iw >= x[2]) continue;
                const double v = in[0].data()[index4(x, n, ih, iw, c)];
                acc = is_max ? std::max(acc, v) : acc + v;
                ++count;
              }
            out[index4(y, n, oh, ow, c)] = is_max ? acc : acc / count;
          }
    return std::vector<std::vector<double>>{out};
  };
}

TEST(Pool, MaxAndAvgMatchNaiveReference) {
  struct Geometry {
    Shape shape;
    int k, s, p;
  };
  for (const Geometry& g : std::vector<Geometry>{{{2, 7, 6, 3}, 3, 2, 1},
                                                 {{1, 5, 5, 4}, 2, 2, 0},
                                                 {{2, 6, 7, 5}, 3, 1, 1},
                                                 {{1, 9, 8, 17}, 5, 2, 2},
                                                 {{3, 4, 4, 1}, 1, 1, 0}}) {
    for (bool is_max : {true, false}) {
      OpTester t(is_max ? "max_pool" : "avg_pool");
      t.input(g.shape).attrs(pool(g.k, g.s, g.p));
      EXPECT_TRUE(t.check_forward(reference(is_max, g.k, g.s, g.p), 1e-6, 1e-5))
          << g.shape.str() << " k" << g.k << " s" << g.s << " p" << g.p;
    }
  }
}

TEST(Pool, AvgExcludesPaddingFromTheDivisor) {
  // 1..9 in a 3x3 image, 3x3 window, stride 1, padding 1: the corner window
  // holds 1,2,4,5 -> 3 (count_include_pad=True would give 12/9).
  OpTester t("avg_pool");
  t.input_values({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}).attrs(pool(3, 1, 1));
  const Tensor y = t.forward()[0];
  EXPECT_FLOAT_EQ(y.data()[0], 3.0f);
  EXPECT_FLOAT_EQ(y.data()[4], 5.0f);  // centre: all nine
  EXPECT_FLOAT_EQ(y.data()[1], 3.5f);  // top edge: 1,2,3,4,5,6
}

TEST(Pool, MaxBackwardGoesToTheFirstMaximum) {
  OpTester t("max_pool");
  t.input_values({1, 2, 2, 1}, {5, 5, 1, 5}).attrs(pool(2, 2, 0));
  t.forward();
  std::vector<Tensor> dy{Tensor::empty({1, 1, 1, 1})};
  dy[0].fill(2.0f);
  std::vector<Tensor> dx{Tensor::empty({1, 2, 2, 1})};
  std::vector<Tensor> none;
  t.op().backward(t.context(), t.inputs(), t.params(), t.forward(), dy, dx, none);
  EXPECT_EQ(std::vector<float>(dx[0].data(), dx[0].data() + 4), (std::vector<float>{2, 0, 0, 0}));
}

TEST(Pool, HandComputedCost) {
  // [1,4,4,2], 3x3 s2 p1 -> [1,2,2,2]; windows cover 2 and 3 rows (and
  // columns): (2+3)*(2+3) = 25 elements per channel.
  OpTester m("max_pool");
  m.input({1, 4, 4, 2}).attrs(pool(3, 2, 1));
  const OpCost c = m.op().cost();
  EXPECT_EQ(m.op().output_shapes()[0], (Shape{1, 2, 2, 2}));
  EXPECT_EQ(c.macs, 0);
  EXPECT_EQ(c.flops_other, 50);
  EXPECT_EQ(c.bytes_read, 128);
  EXPECT_EQ(c.bytes_written, 32);
  EXPECT_EQ(c.params, 0);
  OpTester a("avg_pool");
  a.input({1, 4, 4, 2}).attrs(pool(3, 2, 1));
  EXPECT_EQ(a.op().cost().flops_other, 50 + 8);
}

TEST(Pool, CreationErrorsNameTheOpAndShapes) {
  OpTester big_pad("max_pool");
  big_pad.input({2, 5, 5, 3}).attrs(pool(3, 1, 2));
  Status st = big_pad.create();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("max_pool"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("[2,5,5,3]"), std::string::npos) << st.message();
  OpTester rank3("avg_pool");
  rank3.input({5, 5, 3});
  EXPECT_FALSE(rank3.create().is_ok());
  OpTester too_big("avg_pool");
  too_big.input({1, 2, 2, 1}).attrs(pool(5, 1, 0));
  EXPECT_FALSE(too_big.create().is_ok());
}

TEST(GlobalAvgPool, MatchesReferenceAndCost) {
  OpTester t("global_avg_pool");
  t.input({2, 3, 5, 4});
  EXPECT_TRUE(t.check_forward([](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    const Shape& s = in[0].shape();
    std::vector<double> y(s[0] * s[3], 0.0);
    for (int64_t n = 0; n < s[0]; ++n)
      for (int64_t h = 0; h < s[1]; ++h)
        for (int64_t w = 0; w < s[2]; ++w)
          for (int64_t c = 0; c < s[3]; ++c)
            y[n * s[3] + c] += in[0].data()[index4(s, n, h, w, c)] / double(s[1] * s[2]);
    return std::vector<std::vector<double>>{y};
  }));
  EXPECT_EQ(t.op().output_shapes()[0], (Shape{2, 1, 1, 4}));
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.flops_other, 120 + 8);
  EXPECT_EQ(c.bytes_read, 480);
  EXPECT_EQ(c.bytes_written, 32);
}

}  // namespace
}  // namespace nas::ops
