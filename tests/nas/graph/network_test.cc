// The executor on graphs built from the weighted_sum op (whose gradients
// are checked on their own in tests/ops/supernet): fan-out accumulation,
// shared-parameter views, memory plans and determinism.
#include "nas/graph/network.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nas::graph {
namespace {

using ops::OpAttrs;
using ops::Shape;
using ops::Tensor;

// x -> a = ws(x), b = ws(x) -> c = ws(a, b): x fans out twice, a and b meet.
NetworkSpec diamond() {
  NetworkSpec s;
  const int x = s.add_input("x", {2, 3, 3, 4});
  const int a = s.add_node("a", "weighted_sum", {}, {{x, 0}}).value();
  const int b = s.add_node("b", "weighted_sum", {}, {{x, 0}}).value();
  s.add_node("c", "weighted_sum", {}, {{a, 0}, {b, 0}}).value();
  return s;
}

double loss_of(Network& net, const Tensor& x, const Tensor& probe) {
  Tensor y = net.forward(std::vector<Tensor>{x}, {})[0];
  double l = 0;
  for (int64_t i = 0; i < y.numel(); ++i) l += double(y.data()[i]) * probe.data()[i];
  return l;
}

TEST(Network, ShapesParamsAndCost) {
  NetworkSpec s = diamond();
  EXPECT_EQ(s.size(), 4);
  EXPECT_EQ(s.param_count(), 1 + 1 + 2);
  EXPECT_EQ(s.total_cost().macs, 72 + 72 + 2 * 72);
  auto net = Network::create(s, ExecMode::kTraining, 1).take();
  EXPECT_NE(net->parameters().find("c.alpha"), nullptr);
  EXPECT_EQ(net->parameters().of_kind(ops::ParamKind::kArchitecture).size(), 3u);
}

TEST(Network, ShapeErrorNamesNodeAndShapes) {
  NetworkSpec s;
  const int x = s.add_input("x", {1, 2, 2, 3});
  const int y = s.add_input("y", {1, 2, 2, 4});
  auto r = s.add_node("mix", "weighted_sum", {}, {{x, 0}, {y, 0}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("'mix'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("x [1,2,2,3], y [1,2,2,4]"), std::string::npos)
      << r.status().message();
  auto u = s.add_node("u", "no_such_op", {}, {{x, 0}});
  ASSERT_FALSE(u.is_ok());
  EXPECT_NE(u.status().message().find("unknown op 'no_such_op'"), std::string::npos);
}

TEST(Network, BackwardMatchesFiniteDifferencesThroughFanOut) {
  NetworkSpec s = diamond();
  auto net = Network::create(s, ExecMode::kTraining, 3).take();
  // Non-trivial alphas.
  net->parameters().find("c.alpha")->value.data()[0] = 0.3f;
  net->parameters().find("c.alpha")->value.data()[1] = -0.2f;
  Tensor x = Tensor::empty({2, 3, 3, 4}), probe = Tensor::empty({2, 3, 3, 4});
  for (int64_t i = 0; i < x.numel(); ++i) {
    x.data()[i] = std::sin(0.37 * i);
    probe.data()[i] = std::cos(0.11 * i);
  }
  loss_of(*net, x, probe);
  net->backward(std::vector<Tensor>{probe}, {});
  Parameter* alpha = net->parameters().find("c.alpha");
  for (int k = 0; k < 2; ++k) {
    const float analytic = alpha->grad.data()[k];
    const float saved = alpha->value.data()[k];
    const float eps = 1e-2f;
    alpha->value.data()[k] = saved + eps;
    const double up = loss_of(*net, x, probe);
    alpha->value.data()[k] = saved - eps;
    const double down = loss_of(*net, x, probe);
    alpha->value.data()[k] = saved;
    EXPECT_NEAR(analytic, (up - down) / (2 * eps), 2e-3) << k;
  }
}

TEST(Network, SharedViewGradientsAccumulate) {
  // Two nodes view different slices of one shared alpha tensor of 4.
  NetworkSpec s;
  const int x = s.add_input("x", {1, 2, 2, 2});
  const int y = s.add_input("y", {1, 2, 2, 2});
  ParamBinding b1{"alpha", "shared.alpha", Shape{4}, {0}};
  ParamBinding b2{"alpha", "shared.alpha", Shape{4}, {2}};
  const int m1 = s.add_node("m1", "weighted_sum", {}, {{x, 0}, {y, 0}}, {b1}).value();
  const int m2 = s.add_node("m2", "weighted_sum", {}, {{y, 0}, {x, 0}}, {b2}).value();
  s.add_node("out", "weighted_sum", {}, {{m1, 0}, {m2, 0}});
  EXPECT_EQ(s.param_count(), 4 + 2);
  auto bad = s.add_node("bad", "weighted_sum", {}, {{x, 0}, {y, 0}},
                        {ParamBinding{"alpha", "shared.alpha", Shape{4}, {3}}});
  EXPECT_FALSE(bad.is_ok());
  auto net = Network::create(s, ExecMode::kTraining, 0).take();
  Parameter* shared = net->parameters().find("shared.alpha");
  ASSERT_NE(shared, nullptr);
  for (int i = 0; i < 4; ++i) shared->value.data()[i] = 0.1f * i;
  Tensor xv = Tensor::empty({1, 2, 2, 2}), yv = Tensor::empty({1, 2, 2, 2});
  for (int i = 0; i < 8; ++i) {
    xv.data()[i] = float(i);
    yv.data()[i] = float(8 - 2 * i);
  }
  Tensor ones = Tensor::empty({1, 2, 2, 2});
  ones.fill(1.0f);
  auto loss = [&] {
    Tensor o = net->forward(std::vector<Tensor>{xv, yv}, {})[0];
    double l = 0;
    for (int i = 0; i < 8; ++i) l += o.data()[i];
    return l;
  };
  loss();
  net->backward(std::vector<Tensor>{ones}, {});
  for (int k = 0; k < 4; ++k) {
    const float g = shared->grad.data()[k];
    const float v = shared->value.data()[k];
    shared->value.data()[k] = v + 1e-2f;
    const double up = loss();
    shared->value.data()[k] = v - 1e-2f;
    const double down = loss();
    shared->value.data()[k] = v;
    EXPECT_NEAR(g, (up - down) / 2e-2, 2e-3) << k;
  }
}

TEST(Network, InferencePlanReusesBuffersTrainingKeepsThem) {
  NetworkSpec s;
  const int x = s.add_input("x", {1, 4, 4, 2});  // 128 bytes a tensor
  int prev = x;
  for (const char* name : {"n0", "n1", "n2", "n3"})
    prev = s.add_node(name, "weighted_sum", {}, {{prev, 0}}).value();
  auto inf = Network::create(s, ExecMode::kInference, 0).take();
  EXPECT_EQ(inf->memory_report().activation_bytes, 2 * 128);
  auto train = Network::create(s, ExecMode::kTraining, 0).take();
  // 4 activations kept for backward + at most 2 gradients live at once.
  EXPECT_EQ(train->memory_report().activation_bytes, 4 * 128 + 2 * 128);
  EXPECT_EQ(train->memory_report().param_bytes, 4 * 4);
}

TEST(Network, SameSeedSameBits) {
  auto a = Network::create(diamond(), ExecMode::kTraining, 7).take();
  auto b = Network::create(diamond(), ExecMode::kTraining, 7).take();
  Tensor x = Tensor::empty({2, 3, 3, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = 0.01f * i;
  Tensor ya = a->forward(std::vector<Tensor>{x}, {})[0].clone();
  Tensor yb = b->forward(std::vector<Tensor>{x}, {})[0];
  EXPECT_EQ(0, std::memcmp(ya.data(), yb.data(), ya.numel() * 4));
}

// Once-for-all's elastic kernel: a 3x3 conv whose weight is the centre of a
// shared 7x7 kernel (OHWI) gives the same output as a plain 3x3 conv holding
// that centre, and its gradient lands in the centre of the shared gradient.
TEST(Network, KernelCentreViewEqualsSlicedPlainConv) {
  OpAttrs conv;
  conv.out_channels = 2;
  conv.kernel = 3;
  NetworkSpec elastic;
  const int x = elastic.add_input("x", {1, 6, 6, 3});
  ParamBinding centre{"weight", "big.weight", Shape{2, 7, 7, 3}, {0, 2, 2, 0}};
  ASSERT_TRUE(elastic.add_node("c", "conv2d", conv, {{x, 0}}, {centre}));
  NetworkSpec plain;
  plain.add_input("x", {1, 6, 6, 3});
  ASSERT_TRUE(plain.then("c", "conv2d", conv));
  auto a = Network::create(elastic, ExecMode::kTraining, 5).take();
  auto b = Network::create(plain, ExecMode::kTraining, 5).take();
  const float* big = a->parameters().find("big.weight")->value.data();
  float* small = b->parameters().find("c.weight")->value.data();
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int c = 0; c < 3; ++c)
          small[((o * 3 + i) * 3 + j) * 3 + c] = big[((o * 7 + i + 2) * 7 + j + 2) * 3 + c];
  Tensor xv = Tensor::empty({1, 6, 6, 3});
  for (int64_t i = 0; i < xv.numel(); ++i) xv.data()[i] = std::cos(0.2 * i);
  Tensor ya = a->forward(std::vector<Tensor>{xv}, {})[0].clone();
  Tensor yb = b->forward(std::vector<Tensor>{xv}, {})[0];
  for (int64_t i = 0; i < ya.numel(); ++i) ASSERT_FLOAT_EQ(ya.data()[i], yb.data()[i]);
  Tensor dy = Tensor::empty(ya.shape());
  dy.fill(1.0f);
  a->backward(std::vector<Tensor>{dy}, {});
  b->backward(std::vector<Tensor>{dy}, {});
  const float* gbig = a->parameters().find("big.weight")->grad.data();
  const float* gsmall = b->parameters().find("c.weight")->grad.data();
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 7; ++i)
      for (int j = 0; j < 7; ++j)
        for (int c = 0; c < 3; ++c) {
          const bool inside = i >= 2 && i < 5 && j >= 2 && j < 5;
          const float expect = inside ? gsmall[((o * 3 + i - 2) * 3 + j - 2) * 3 + c] : 0.0f;
          ASSERT_FLOAT_EQ(gbig[((o * 7 + i) * 7 + j) * 3 + c], expect);
        }
}

// conv - BN - tanh - pool - linear - softmax cross-entropy: the executor's
// gradient of every parameter against central differences of the loss.
TEST(Network, RealOpsGradientsMatchFiniteDifferences) {
  NetworkSpec s;
  const int x = s.add_input("x", {3, 5, 5, 2});
  const int labels = s.add_input("labels", {3});
  OpAttrs conv;
  conv.out_channels = 3;
  conv.kernel = 3;
  conv.stride = 2;
  ASSERT_TRUE(s.add_node("conv", "conv2d", conv, {{x, 0}}));
  ASSERT_TRUE(s.then("bn", "batch_norm"));
  ASSERT_TRUE(s.then("act", "tanh"));
  ASSERT_TRUE(s.then("pool", "global_avg_pool"));
  OpAttrs fc;
  fc.out_channels = 4;
  fc.bias = true;
  const int logits = s.then("fc", "linear", fc).value();
  s.add_node("loss", "softmax_cross_entropy", {}, {{logits, 0}, {labels, 0}}).value();
  auto net = Network::create(s, ExecMode::kTraining, 11).take();
  Tensor xv = Tensor::empty({3, 5, 5, 2}), lv = Tensor::empty({3});
  for (int64_t i = 0; i < xv.numel(); ++i) xv.data()[i] = std::sin(0.7 * i + 0.3);
  lv.data()[0] = 0; lv.data()[1] = 3; lv.data()[2] = 1;
  auto loss = [&] {
    return double(net->forward(std::vector<Tensor>{xv, lv}, {true, 0})[0].data()[0]);
  };
  loss();
  Tensor one = Tensor::empty({1});
  one.fill(1.0f);
  net->backward(std::vector<Tensor>{one}, {true, 0});
  std::vector<std::vector<float>> grads;
  for (Parameter& p : net->parameters().all())
    grads.emplace_back(p.grad.data(), p.grad.data() + p.grad.numel());
  size_t pi = 0;
  int checked = 0;
  for (Parameter& p : net->parameters().all()) {
    for (int64_t i = 0; i < p.value.numel(); i += 3) {
      const float v = p.value.data()[i];
      const float eps = 1e-2f;
      p.value.data()[i] = v + eps;
      const double up = loss();
      p.value.data()[i] = v - eps;
      const double down = loss();
      p.value.data()[i] = v;
      const double fd = (up - down) / (2 * eps);
      EXPECT_NEAR(grads[pi][i], fd, 2e-3 + 2e-2 * std::abs(fd)) << p.name << "[" << i << "]";
      ++checked;
    }
    ++pi;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace nas::graph
