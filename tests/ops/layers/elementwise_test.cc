#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/core/op_registry.h"
#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

op_testing::ReferenceFn binary_reference(bool add) {
  return [=](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    const Tensor& a = in[0];
    const Tensor& b = in[1];
    const int64_t c = a.dim(a.rank() - 1), rows = a.numel() / c;
    const int64_t per_b_row = rows / (b.numel() / c);  // a rows sharing one b row
    std::vector<double> y(a.numel());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < c; ++j) {
        const double x = a.data()[r * c + j], z = b.data()[(r / per_b_row) * c + j];
        y[r * c + j] = add ? x + z : x * z;
      }
    return std::vector<std::vector<double>>{y};
  };
}

TEST(Elementwise, AddAndMulBroadcastOverSpace) {
  for (bool add : {true, false})
    for (const Shape& b : {Shape{2, 3, 5, 7}, Shape{2, 1, 1, 7}, Shape{1, 1, 1, 7}}) {
      OpTester t(add ? "add" : "mul");
      t.input({2, 3, 5, 7}).input(b);
      EXPECT_TRUE(t.check_forward(binary_reference(add), 1e-7, 1e-6)) << b.str();
    }
}

TEST(Elementwise, LargeBroadcastIsBitIdenticalAcrossThreads) {
  for (const char* op : {"add", "mul"}) {
    OpTester t(op);
    t.input({4, 16, 16, 8}).input({1, 1, 1, 8});
    EXPECT_TRUE(t.check_deterministic({1, 2, 3})) << op;
    OpTester u(op);
    u.input({4, 16, 16, 8}).input({4, 1, 1, 8});
    EXPECT_TRUE(u.check_deterministic({1, 2, 3})) << op;
  }
}

TEST(Elementwise, HandComputedCost) {
  OpTester t("mul");
  t.input({2, 3, 3, 4}).input({2, 1, 1, 4});
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.flops_other, 72);
  EXPECT_EQ(c.bytes_read, 4 * (72 + 8));
  EXPECT_EQ(c.bytes_written, 4 * 72);
  EXPECT_EQ(c.macs, 0);
}

TEST(Elementwise, RejectsOtherBroadcasts) {
  for (const Shape& b : {Shape{2, 3, 1, 4}, Shape{2, 1, 1, 1}, Shape{3, 1, 1, 4}, Shape{4}}) {
    OpTester t("add");
    t.input({2, 3, 3, 4}).input(b);
    Status st = t.create();
    ASSERT_FALSE(st.is_ok()) << b.str();
    EXPECT_NE(st.message().find("'add'"), std::string::npos);
    EXPECT_NE(st.message().find(b.str()), std::string::npos);
  }
}

// The training executor passes a residual's gradient through: one input's
// gradient tensor IS the output gradient (same data). add must then leave it
// as it is and still copy dy into the other input's gradient.
TEST(Elementwise, AddBackwardWithAnInputGradientAliasingDy) {
  const Shape shape{2, 5, 5, 24};
  auto op = op_registry().create("add", OpAttrs{}, std::vector<Shape>{shape, shape}).take();
  Tensor a = Tensor::empty(shape), b = Tensor::empty(shape), y = Tensor::empty(shape);
  for (int64_t i = 0; i < a.numel(); ++i) {
    a.data()[i] = 0.5f * float(i % 13);
    b.data()[i] = -0.25f * float(i % 7);
  }
  std::vector<Tensor> in{a, b}, out{y};
  op->forward(OpContext{}, in, {}, out);
  for (int alias : {0, 1}) {
    Tensor dy = Tensor::empty(shape), other = Tensor::empty(shape);
    for (int64_t i = 0; i < dy.numel(); ++i) dy.data()[i] = std::sin(0.3 * i);
    const Tensor expected = dy.clone();
    other.fill(-7.0f);
    std::vector<Tensor> og{dy};
    std::vector<Tensor> ig = alias == 0 ? std::vector<Tensor>{dy, other}
                                        : std::vector<Tensor>{other, dy};
    op->backward(OpContext{}, in, {}, out, og, ig, {});
    EXPECT_EQ(std::memcmp(dy.data(), expected.data(), dy.numel() * 4), 0) << alias;
    EXPECT_EQ(std::memcmp(other.data(), expected.data(), dy.numel() * 4), 0) << alias;
  }
}

}  // namespace
}  // namespace nas::ops
