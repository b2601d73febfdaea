#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ops/layers/activation_functions.h"
#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

double relu6(double x) { return std::min(std::max(x, 0.0), 6.0); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct Formula {
  const char* name;
  std::function<double(double)> f;
  int64_t flops;
};

std::vector<Formula> formulas() {
  return {
      {"relu", [](double x) { return std::max(x, 0.0); }, 1},
      {"relu6", relu6, 2},
      {"hsigmoid", [](double x) { return relu6(x + 3) / 6; }, 4},
      {"hswish", [](double x) { return x * relu6(x + 3) / 6; }, 5},
      {"swish", [](double x) { return x * sigmoid(x); }, 5},
      {"sigmoid", sigmoid, 4},
      {"tanh", [](double x) { return std::tanh(x); }, 1},
      {"gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }, 5},
  };
}

// Values over [-8, 8]: every piece of relu6 / hswish is exercised.
std::vector<float> spread(int64_t n) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-8.0f, 8.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

TEST(Activation, MatchesFormulasAndGradients) {
  for (const Formula& f : formulas()) {
    const Shape shape{2, 3, 5, 7};
    OpTester t(f.name);
    t.input_values(shape, spread(shape.numel()));
    EXPECT_TRUE(t.check_forward(
        [&](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
          std::vector<double> y = op_testing::to_double(in[0]);
          for (double& v : y) v = f.f(v);
          return std::vector<std::vector<double>>{y};
        },
        1e-6, 1e-5))
        << f.name;
    EXPECT_TRUE(t.check_gradients()) << f.name;
    const OpCost c = t.op().cost();
    EXPECT_EQ(c.flops_other, shape.numel() * f.flops) << f.name;
    EXPECT_EQ(c.bytes_read, 4 * shape.numel());
    EXPECT_EQ(c.bytes_written, 4 * shape.numel());
  }
}

TEST(Activation, GeluIsTheExactErfForm) {
  // The tanh approximation gives 0.841192 at 1 and -0.158808 at -1.
  float x[2] = {1.0f, -1.0f}, y[2];
  activation_forward(ActivationKind::kGelu, x, y, 2);
  EXPECT_NEAR(y[0], 0.8413447, 1e-6);
  EXPECT_NEAR(y[1], -0.1586553, 1e-6);
}

TEST(Activation, KinksUseTheRightPiece) {
  const float x[6] = {0.0f, 6.0f, -3.0f, 3.0f, 0.0f, 1.0f};
  const float dy[6] = {1, 1, 1, 1, 1, 1};
  float dx[6];
  activation_backward(ActivationKind::kRelu, x, dy, dx, 1);
  EXPECT_EQ(dx[0], 0.0f);  // relu'(0) = 0, as PyTorch
  activation_backward(ActivationKind::kRelu6, x + 1, dy, dx, 1);
  EXPECT_EQ(dx[0], 0.0f);
  activation_backward(ActivationKind::kHswish, x + 2, dy, dx, 2);
  EXPECT_FLOAT_EQ(dx[0], -0.5f);
  EXPECT_FLOAT_EQ(dx[1], 1.0f);
}

TEST(Activation, InPlaceForwardAndBackward) {
  std::vector<float> v = spread(100), x = v, dy(100, 1.0f);
  activation_forward(ActivationKind::kSwish, v.data(), v.data(), 100);
  for (int i = 0; i < 100; ++i) EXPECT_FLOAT_EQ(v[i], x[i] * sigmoid(x[i]));
  activation_backward(ActivationKind::kTanh, x.data(), dy.data(), dy.data(), 100);
  for (int i = 0; i < 100; ++i) EXPECT_NEAR(dy[i], 1 - std::tanh(x[i]) * std::tanh(x[i]), 1e-6);
}

TEST(Activation, NamesRoundTripThroughTheRegistryEnum) {
  EXPECT_EQ(activation_kind(Activation::kNone), ActivationKind::kIdentity);
  EXPECT_EQ(activation_kind(Activation::kHswish), ActivationKind::kHswish);
  EXPECT_STREQ(activation_name(activation_kind(Activation::kGelu)), "gelu");
  OpTester two("relu");
  two.input({2}).input({2});
  EXPECT_FALSE(two.create().is_ok());
}

}  // namespace
}  // namespace nas::ops
