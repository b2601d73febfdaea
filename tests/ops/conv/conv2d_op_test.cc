// The Conv2d op: creation from attributes and its errors, param specs, exact
// costs on hand-computed cases, BatchNorm folding, and a float
// finite-difference check of backward through the op.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv2d_op.h"
#include "ops/conv/conv_autotune.h"
#include "ops/core/op_registry.h"
#include "tests/ops/conv/conv_reference.h"

namespace nas::ops {
namespace {

std::unique_ptr<Op> make(const char* name, const OpAttrs& a, const Shape& in) {
  Shape shapes[] = {in};
  auto r = op_registry().create(name, a, shapes);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? r.take() : nullptr;
}

TEST(Conv2dOp, RegisteredWithSameShapesAndSpecs) {
  OpAttrs a;
  a.out_channels = 32;
  a.kernel = 3;
  a.stride = 2;
  a.bias = true;
  auto op = make("conv2d", a, {2, 15, 16, 8});
  ASSERT_TRUE(op);
  EXPECT_STREQ(op->name(), "conv2d");
  EXPECT_EQ(op->output_shapes()[0], (Shape{2, 8, 8, 32}));  // padding -1: same
  ASSERT_EQ(op->param_specs().size(), 2u);
  EXPECT_EQ(op->param_specs()[0].name, "weight");
  EXPECT_EQ(op->param_specs()[0].shape, (Shape{32, 3, 3, 8}));
  EXPECT_EQ(op->param_specs()[0].init, Init::kKaimingNormal);
  EXPECT_EQ(op->param_specs()[0].fan_in, 72);
  EXPECT_EQ(op->param_specs()[1].name, "bias");
  EXPECT_EQ(op->param_specs()[1].init, Init::kZeros);

  OpAttrs d;
  d.kernel = 5;
  auto dw = make("depthwise_conv2d", d, {1, 14, 14, 24});
  ASSERT_TRUE(dw);
  EXPECT_EQ(dw->param_specs()[0].shape, (Shape{24, 5, 5, 1}));
  EXPECT_EQ(dw->output_shapes()[0], (Shape{1, 14, 14, 24}));
  d.groups = -1;
  auto dw2 = make("conv2d", d, {1, 14, 14, 24});
  EXPECT_EQ(static_cast<Conv2d*>(dw2.get())->params().groups, 24);
}

TEST(Conv2dOp, ShapeErrorsAtCreation) {
  OpAttrs a;
  a.out_channels = 10;
  a.kernel = 3;
  a.groups = 4;
  Shape in[] = {Shape{1, 8, 8, 6}};
  auto r = op_registry().create("conv2d", a, in);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(),
            "failed to create conv2d with input [1,8,8,6]: in_channels 6 and out_channels 10 "
            "must be divisible by groups 4");
  a.groups = 1;
  a.kernel = 7;
  a.padding = 0;
  Shape tiny[] = {Shape{1, 4, 4, 3}};
  r = op_registry().create("conv2d", a, tiny);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("failed to create conv2d with input [1,4,4,3]: the dilated kernel"),
            std::string::npos);
  Shape rank3[] = {Shape{4, 4, 3}};
  r = op_registry().create("conv2d", OpAttrs{}, rank3);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "failed to create conv2d with input [4,4,3]: expected an NHWC input of rank 4");
}

TEST(Conv2dOp, CostsMatchHandCounts) {
  // 3x3, 16 -> 32, 8x8 input, stride 1, same padding, bias, batch 2:
  // output 2x8x8x32 = 4096 values, each 3*3*16 = 144 MACs.
  ConvParams p;
  p.batch = 2; p.in_h = 8; p.in_w = 8; p.in_c = 16; p.out_c = 32;
  p.kernel_h = p.kernel_w = 3; p.pad = 1; p.bias = true;
  OpCost c = conv2d_cost(p);
  EXPECT_EQ(c.macs, 4096 * 144);
  EXPECT_EQ(c.params, 32 * 144 + 32);
  EXPECT_EQ(c.bytes_read, 4 * (2 * 8 * 8 * 16 + 32 * 144 + 32));
  EXPECT_EQ(c.bytes_written, 4 * 4096);
  // Depthwise 5x5 stride 2 on 1x15x15x24, pad 2: output 8x8x24, 25 MACs each.
  p = ConvParams{};
  p.in_h = p.in_w = 15; p.in_c = p.out_c = p.groups = 24;
  p.kernel_h = p.kernel_w = 5; p.stride = 2; p.pad = 2;
  c = conv2d_cost(p);
  EXPECT_EQ(c.macs, 8 * 8 * 24 * 25);
  EXPECT_EQ(c.params, 24 * 25);
  EXPECT_EQ(c.bytes_read, 4 * (15 * 15 * 24 + 24 * 25));
  EXPECT_EQ(c.bytes_written, 4 * 8 * 8 * 24);
  // Grouped 1x1: 12 -> 20 in 2 groups on 3x3: 9*20 outputs x 6 MACs.
  p = ConvParams{};
  p.in_h = p.in_w = 3; p.in_c = 12; p.out_c = 20; p.groups = 2;
  c = conv2d_cost(p);
  EXPECT_EQ(c.macs, 9 * 20 * 6);
  EXPECT_EQ(c.params, 20 * 6);
}

TEST(Conv2dOp, FoldedBatchNormEqualsConvThenBatchNorm) {
  set_conv_autotune_path("");
  ConvParams p;
  p.batch = 2; p.in_h = p.in_w = 6; p.in_c = 5; p.out_c = 7;
  p.kernel_h = p.kernel_w = 3; p.pad = 1; p.bias = true; p.algo = ConvAlgo::kDirect;
  auto x = testing::random_floats(p.input_shape().numel(), 1);
  auto w = testing::random_floats(p.weight_numel(), 2);
  auto b = testing::random_floats(p.out_c, 3);
  auto gamma = testing::random_floats(7, 4), beta = testing::random_floats(7, 5),
       mean = testing::random_floats(7, 6), var = testing::random_floats(7, 7);
  for (float& v : var) v = std::fabs(v) + 0.1f;
  std::vector<float> scale(7), shift(7);
  batch_norm_scale_shift(7, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f,
                         scale.data(), shift.data());
  const auto ref = testing::ref_conv_forward(p, x, w, b);
  fold_batch_norm(7, 45, scale.data(), shift.data(), true, w.data(), b.data());
  std::vector<float> y(ref.value.size());
  conv2d_forward(p, x.data(), w.data(), b.data(), y.data());
  for (size_t i = 0; i < y.size(); ++i) {
    const int c = i % 7;
    const double bn = gamma[c] * (ref.value[i] - mean[c]) / std::sqrt(var[c] + 1e-5) + beta[c];
    ASSERT_NEAR(y[i], bn, 1e-4 * (1 + std::fabs(bn)));
  }
}

// Central differences in float through the op (loss = sum(y * g)); eps and
// tolerance sized for float rounding of sums of ~50 terms.
TEST(Conv2dOp, BackwardMatchesFiniteDifferences) {
  set_conv_autotune_path("");
  OpAttrs a;
  a.out_channels = 4;
  a.kernel = 3;
  a.stride = 2;
  a.groups = 2;
  a.bias = true;
  auto op = make("conv2d", a, {2, 5, 5, 4});
  ASSERT_TRUE(op);
  const Shape in = op->input_shapes()[0], out = op->output_shapes()[0];
  Tensor x = Tensor::empty(in), w = Tensor::empty(op->param_specs()[0].shape),
         b = Tensor::empty(op->param_specs()[1].shape), y = Tensor::empty(out),
         g = Tensor::empty(out);
  auto fill = [](Tensor& t, unsigned seed) {
    auto v = testing::random_floats(t.numel(), seed);
    std::copy(v.begin(), v.end(), t.data());
  };
  fill(x, 1); fill(w, 2); fill(b, 3); fill(g, 4);
  Tensor ins[] = {x}, params[] = {w, b}, outs[] = {y}, ograds[] = {g};
  Tensor dx = Tensor::empty(in), dw = Tensor::empty(w.shape()), db = Tensor::empty(b.shape());
  Tensor igrads[] = {dx}, pgrads[] = {dw, db};
  OpContext ctx;
  op->forward(ctx, ins, params, outs);
  op->backward(ctx, ins, params, outs, ograds, igrads, pgrads);
  auto loss = [&] {
    op->forward(ctx, ins, params, outs);
    double s = 0;
    for (int64_t i = 0; i < y.numel(); ++i) s += double{y.data()[i]} * g.data()[i];
    return s;
  };
  const float eps = 1e-2f;
  auto check = [&](Tensor& t, const Tensor& grad, const char* what) {
    for (int64_t i = 0; i < t.numel(); i += 3) {
      const float keep = t.data()[i];
      t.data()[i] = keep + eps;
      const double lp = loss();
      t.data()[i] = keep - eps;
      const double lm = loss();
      t.data()[i] = keep;
      EXPECT_NEAR((lp - lm) / (2 * eps), grad.data()[i], 2e-3) << what << " " << i;
    }
  };
  check(x, dx, "dx");
  check(w, dw, "dw");
  check(b, db, "db");
}

}  // namespace
}  // namespace nas::ops
