#include "nas/train/optim/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/core/parallel.h"

namespace nas::train {
namespace {

// A one-element parameter p0 and the values it takes under `grads`.
std::vector<float> trajectory(const OptimizerConfig& c, float lr, std::vector<float> grads,
                              float p0 = 1.0f) {
  ParamGroup g{"weights", {{"w", ops::Tensor::empty({1}), ops::Tensor::empty({1})}}};
  g.params[0].value.fill(p0);
  Result<std::unique_ptr<Optimizer>> opt = make_optimizer(c, g);
  EXPECT_TRUE(opt) << opt.status().message();
  std::vector<float> out;
  for (float gr : grads) {
    g.params[0].grad.fill(gr);
    opt.value()->step(lr);
    out.push_back(g.params[0].value.data()[0]);
  }
  return out;
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-6) << "step " << i;
}

// Expected values: worked by hand for SGD (see sgd.h's formula) and checked
// against torch.optim 1.13 for all.
TEST(Sgd, PlainStep) { expect_near_all(trajectory({}, 0.1f, {0.5f}), {0.95f}); }

TEST(Sgd, MomentumWithWeightDecay) {
  OptimizerConfig c;
  c.momentum = 0.9f;
  c.weight_decay = 0.01f;
  // g1 = 0.5 + 0.01 = 0.51, buf = 0.51, p = 1 - 0.051 = 0.949;
  // g2 = 0.5 + 0.00949, buf = 0.459 + 0.50949 = 0.96849, p = 0.949 - 0.096849.
  expect_near_all(trajectory(c, 0.1f, {0.5f, 0.5f, -0.25f}), {0.949f, 0.852151f, 0.78913474f});
}

TEST(Sgd, Nesterov) {
  OptimizerConfig c;
  c.momentum = 0.9f;
  c.nesterov = true;
  c.weight_decay = 0.01f;
  // step 1: d = 0.51 + 0.9 * 0.51 = 0.969, p = 0.9031.
  expect_near_all(trajectory(c, 0.1f, {0.5f, 0.5f, -0.25f}), {0.9031f, 0.76507413f, 0.73271f});
}

TEST(Adam, BiasCorrectedSteps) {
  OptimizerConfig c;
  c.kind = OptimizerKind::kAdam;
  // Bias correction makes the first step exactly lr * sign(g).
  expect_near_all(trajectory(c, 0.01f, {0.5f, -0.25f, 1.0f}), {0.99f, 0.98733664f, 0.98075551f});
  c.weight_decay = 0.1f;  // L2 through the gradient
  expect_near_all(trajectory(c, 0.01f, {0.5f, -0.25f, 1.0f}), {0.99f, 0.9853192f, 0.97797757f});
}

TEST(AdamW, DecoupledWeightDecay) {
  OptimizerConfig c;
  c.kind = OptimizerKind::kAdamW;
  c.weight_decay = 0.1f;
  // p = 1 * (1 - 0.01 * 0.1) - 0.01 = 0.989.
  expect_near_all(trajectory(c, 0.01f, {0.5f, -0.25f, 1.0f}), {0.989f, 0.9853477f, 0.97778124f});
}

TEST(Optimizer, RejectsBadConfigAndGroups) {
  ParamGroup g{"w", {{"a", ops::Tensor::zeros({2}), ops::Tensor::zeros({2})}}};
  OptimizerConfig c;
  c.nesterov = true;
  EXPECT_FALSE(make_optimizer(c, g));
  c = {};
  c.momentum = 1.0f;
  EXPECT_FALSE(make_optimizer(c, g));
  c = {};
  c.kind = OptimizerKind::kAdam;
  c.beta2 = 1.0f;
  EXPECT_FALSE(make_optimizer(c, g));
  c = {};
  c.weight_decay = -1.0f;
  EXPECT_FALSE(make_optimizer(c, g));
  ParamGroup bad{"w", {{"a", ops::Tensor::zeros({2}), ops::Tensor::zeros({3})}}};
  Result<std::unique_ptr<Optimizer>> r = make_optimizer({}, bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("gradient shape [3] differs from value shape [2]"),
            std::string::npos);
  ParamGroup twice{"w", {g.params[0], g.params[0]}};
  EXPECT_FALSE(make_optimizer({}, twice));
}

TEST(Optimizer, StateZeroGradAndSeparateGroups) {
  ParamGroup weights{"weights", {{"w", ops::Tensor::zeros({3}), ops::Tensor::zeros({3})}}};
  ParamGroup arch{"arch", {{"alpha", ops::Tensor::zeros({2}), ops::Tensor::zeros({2})}}};
  OptimizerConfig sgd;
  sgd.momentum = 0.9f;
  OptimizerConfig adam;
  adam.kind = OptimizerKind::kAdam;
  auto w = make_optimizer(sgd, weights).take();
  auto a = make_optimizer(adam, arch).take();
  EXPECT_EQ(w->state().count("w.momentum"), 1u);
  EXPECT_EQ(a->state().count("alpha.exp_avg_sq"), 1u);
  weights.params[0].grad.fill(1.0f);
  arch.params[0].grad.fill(1.0f);
  a->step(0.1f);  // only the arch group moves
  EXPECT_EQ(weights.params[0].value.data()[0], 0.0f);
  EXPECT_NEAR(arch.params[0].value.data()[0], -0.1f, 1e-6);
  EXPECT_EQ(a->step_count(), 1);
  w->zero_grad();
  EXPECT_EQ(weights.params[0].grad.data()[2], 0.0f);
  EXPECT_EQ(arch.params[0].grad.data()[0], 1.0f);
}

TEST(Optimizer, BitIdenticalWithOneOrTwoThreads) {
  const int64_t n = 200'003;
  auto run = [&](int threads) {
    ops::set_num_threads(threads);
    ParamGroup g{"w", {{"big", ops::Tensor::empty({n}), ops::Tensor::empty({n})}}};
    for (int64_t i = 0; i < n; ++i) g.params[0].value.data()[i] = std::sin(0.001f * i);
    OptimizerConfig c;
    c.kind = OptimizerKind::kAdamW;
    c.weight_decay = 0.05f;
    auto opt = make_optimizer(c, g).take();
    for (int s = 0; s < 3; ++s) {
      for (int64_t i = 0; i < n; ++i) g.params[0].grad.data()[i] = std::cos(0.002f * i + s);
      opt->step(0.01f);
    }
    return std::vector<float>(g.params[0].value.data(), g.params[0].value.data() + n);
  };
  const int saved = ops::num_threads();
  const std::vector<float> one = run(1), two = run(2);
  ops::set_num_threads(saved);
  EXPECT_TRUE(one == two);
}

}  // namespace
}  // namespace nas::train
