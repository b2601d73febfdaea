#include "ops/layers/softmax_cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

op_testing::ReferenceFn ce_reference(double smoothing) {
  return [=](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    const int64_t n = in[1].numel(), k = in[0].numel() / n;
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const float* z = in[0].data() + i * k;
      double mx = z[0], sum = 0.0;
      for (int64_t j = 1; j < k; ++j) mx = std::max<double>(mx, z[j]);
      for (int64_t j = 0; j < k; ++j) sum += std::exp(z[j] - mx);
      const int64_t y = static_cast<int64_t>(in[1].data()[i]);
      for (int64_t j = 0; j < k; ++j) {
        const double t = (j == y ? 1.0 - smoothing : 0.0) + smoothing / k;
        total -= t * (z[j] - mx - std::log(sum));
      }
    }
    return std::vector<std::vector<double>>{{total / n}};
  };
}

TEST(SoftmaxCrossEntropy, MatchesReferenceWithAndWithoutSmoothing) {
  for (float smoothing : {0.0f, 0.1f, 1.0f}) {
    OpAttrs a;
    a.label_smoothing = smoothing;
    OpTester t("softmax_cross_entropy");
    t.input({9, 13}).labels({9}, 13).attrs(a);
    EXPECT_TRUE(t.check_forward(ce_reference(smoothing), 1e-6, 1e-5)) << smoothing;
  }
}

TEST(SoftmaxCrossEntropy, HandValuesAndLargeLogits) {
  OpTester t("softmax_cross_entropy");
  t.input_values({2, 2}, {0, 0, 1000, 0}).input_values({2}, {0, 0}, false);
  // Row 0: ln 2; row 1: ~0 (no overflow for a logit of 1000).
  EXPECT_NEAR(t.forward()[0].data()[0], std::log(2.0) / 2, 1e-6);
}

TEST(SoftmaxCrossEntropy, HandComputedCost) {
  OpTester t("softmax_cross_entropy");
  t.input({4, 10}).labels({4}, 10);
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.flops_other, 5 * 40 + 4);
  EXPECT_EQ(c.bytes_read, 4 * 44);
  EXPECT_EQ(c.bytes_written, 4);
  EXPECT_EQ(t.op().output_shapes()[0], (Shape{1}));
}

TEST(SoftmaxCrossEntropy, CreationErrors) {
  OpTester wrong_n("softmax_cross_entropy");
  wrong_n.input({4, 10}).labels({3}, 10);
  Status st = wrong_n.create();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("[4,10], [3]"), std::string::npos) << st.message();
  OpTester spatial("softmax_cross_entropy");
  spatial.input({4, 2, 2, 10}).labels({4}, 10);
  EXPECT_FALSE(spatial.create().is_ok());
}

TEST(Accuracy, ArgmaxAndTopK) {
  const float logits[3 * 4] = {0.1f, 0.9f, 0.3f, 0.9f,   // tie: first max (1)
                               2.0f, 1.0f, 0.0f, -1.0f,  // 0
                               0.0f, 0.5f, 0.2f, 0.4f};  // 1, then 3
  int64_t arg[3];
  argmax_rows(logits, 3, 4, arg);
  EXPECT_EQ(arg[0], 1);
  EXPECT_EQ(arg[1], 0);
  EXPECT_EQ(arg[2], 1);
  const float labels[3] = {3, 0, 3};
  EXPECT_EQ(count_top_k_correct(logits, labels, 3, 4, 1), 1);  // row 0's tie goes to class 1
  EXPECT_EQ(count_top_k_correct(logits, labels, 3, 4, 2), 3);
  EXPECT_EQ(count_top_k_correct(logits, labels, 3, 4, 4), 3);
}

}  // namespace
}  // namespace nas::ops
