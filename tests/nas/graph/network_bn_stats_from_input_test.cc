// BatchNorm statistics derived from a 1x1 conv's input
// (NetworkOptions::batch_norm_stats_from_input): which batch_norm nodes get
// them, training with the option on against off, determinism (on each thread
// count, and the derived statistics on 1-3 threads), and gradients against
// central differences.
//
// On against off is NOT bit-identical: the derived statistics are those of
// the exact W x + b, not of the float32 conv output that BN's own pass reads,
// so they agree to float32 precision; the test bounds the difference in the
// loss, the running statistics and every weight over a few SGD steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nas/graph/network.h"
#include "ops/conv/conv2d.h"
#include "ops/core/parallel.h"
#include "tests/nas/graph/lockstep_training.h"

namespace nas::graph {
namespace {

using ops::OpAttrs;
using ops::Shape;
using ops::Tensor;

// stem 3x3 conv (3 -> c) - bn_s - act_s; expand 1x1 (c -> e, with bias)
// - bn_e - act_e (relu6) - depthwise 3x3 - bn_d - act_d - project 1x1
// (e -> c) - bn_p - pool - linear - cross-entropy. The expand output,
// n*h*w*e floats, is streamed by the conv when over 16 MiB. `smooth` puts
// tanh in place of relu / relu6 (for finite differences).
NetworkSpec block_net(Shape x_shape, int64_t c, int64_t e, bool smooth) {
  NetworkSpec s;
  const int x = s.add_input("x", x_shape);
  const int labels = s.add_input("labels", {x_shape[0]});
  OpAttrs conv;
  conv.out_channels = c;
  conv.kernel = 3;
  EXPECT_TRUE(s.add_node("stem", "conv2d", conv, {{x, 0}}));
  EXPECT_TRUE(s.then("bn_s", "batch_norm"));
  EXPECT_TRUE(s.then("act_s", smooth ? "tanh" : "relu"));
  conv.out_channels = e;
  conv.kernel = 1;
  conv.bias = true;
  EXPECT_TRUE(s.then("expand", "conv2d", conv));
  EXPECT_TRUE(s.then("bn_e", "batch_norm"));
  EXPECT_TRUE(s.then("act_e", smooth ? "tanh" : "relu6"));
  OpAttrs dw;
  dw.kernel = 3;
  EXPECT_TRUE(s.then("dw", "depthwise_conv2d", dw));
  EXPECT_TRUE(s.then("bn_d", "batch_norm"));
  EXPECT_TRUE(s.then("act_d", smooth ? "tanh" : "relu6"));
  conv.out_channels = c;
  conv.bias = false;
  EXPECT_TRUE(s.then("project", "conv2d", conv));
  EXPECT_TRUE(s.then("bn_p", "batch_norm"));
  testing::add_classifier_head(s, labels);
  return s;
}

// 16 x 56 x 56 pixels, 16 -> 96 channels: a 19.3 MB expand output (streamed).
const Shape kBig{16, 56, 56, 3};
NetworkSpec big_net() { return block_net(kBig, 16, 96, false); }

std::unique_ptr<Network> make(const NetworkSpec& spec, bool from_input, uint64_t seed = 21) {
  NetworkOptions options;
  options.batch_norm_stats_from_input = from_input;
  auto net = Network::create(spec, ExecMode::kTraining, seed, options).take();
  // Inputs far from centred (bias 3 on every expand channel) and an output
  // past [0, 6] so that relu6 clips at both ends.
  net->parameters().find("expand.bias")->value.fill(3.0f);
  net->parameters().find("bn_e.gamma")->value.fill(4.0f);
  net->parameters().find("bn_e.beta")->value.fill(3.0f);
  return net;
}

void fill_batch(Tensor& x, Tensor& labels, int step) {
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = float(std::sin(0.37 * double(i) + step));
  for (int64_t i = 0; i < labels.numel(); ++i) labels.data()[i] = float((i + step) % 3);
}

// Forward and backward of one training batch; returns the loss.
float forward_backward(Network& net, Shape x_shape, int k) {
  Tensor x = Tensor::empty(x_shape), labels = Tensor::empty({x_shape[0]});
  fill_batch(x, labels, k);
  const ops::OpContext ctx{true, uint64_t(k)};
  const float loss = net.forward(std::vector<Tensor>{x, labels}, ctx)[0].data()[0];
  Tensor one = Tensor::empty({1});
  one.fill(1.0f);
  net.backward(std::vector<Tensor>{one}, ctx);
  return loss;
}

void sgd(Network& net) {
  for (Parameter& p : net.parameters().all())
    for (int64_t i = 0; i < p.value.numel(); ++i) p.value.data()[i] -= 0.1f * p.grad.data()[i];
}

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(t.data()[i]));
  return m;
}

TEST(NetworkBatchNormStatsFromInput, ChoosesStreamedOneByOneConvsThatPay) {
  // bn_e only: the expand conv streams its 19.3 MB output and 16^2 <= 6 * 96;
  // the project conv's output (3.2 MB) is observed by the conv itself, and
  // 96 -> 16 would not pay anyway; the stem is 3x3.
  auto on = make(big_net(), true);
  EXPECT_EQ(on->batch_norm_stats_from_input(), 1);
  EXPECT_EQ(on->batch_norm_stats_in_conv(), 2);  // bn_s, bn_p (dw streams its output too)
  EXPECT_EQ(make(big_net(), false)->batch_norm_stats_from_input(), 0);
  EXPECT_EQ(
      Network::create(big_net(), ExecMode::kInference, 21).take()->batch_norm_stats_from_input(),
      0);
  // The default (see NetworkOptions and docs/architecture.md).
  EXPECT_EQ(
      Network::create(big_net(), ExecMode::kTraining, 21).take()->batch_norm_stats_from_input(),
      NetworkOptions{}.batch_norm_stats_from_input ? 1 : 0);
  // Small batch: the conv does not stream its output, so it gathers BN's
  // statistics itself (bit-identical), whatever the option says.
  auto small = make(block_net({2, 8, 8, 3}, 16, 96, false), true);
  EXPECT_EQ(small->batch_norm_stats_from_input(), 0);
  // 48 -> 96 channels does not pay (48^2 > 6 * 96), even streamed.
  EXPECT_EQ(make(block_net({16, 56, 56, 3}, 48, 96, false), true)->batch_norm_stats_from_input(),
            0);
}

// How close on and off stay. From the same weights (step 0) the gradients
// differ by at most 1.6e-4 of each tensor's largest gradient (measured; the
// bound is 1e-3). Later steps start from weights that already differ, and
// this block amplifies that: relu6 clips at both ends of bn_e's output, so
// a weight change of one ulp moves pixels across the clipping points. There
// the differences are of the size a change of thread count makes to the
// option-off run (its reductions split differently): stem and expand
// weight gradients ~3e-3 to 1e-2 relative at step 1 either way (measured), so
// later steps are checked on the loss and the weights only, the weights
// against the size of the steps they took.
TEST(NetworkBatchNormStatsFromInput, TrainsLikeBatchNormsOwnStatistics) {
  auto on = make(big_net(), true);
  auto off = make(big_net(), false);
  ASSERT_EQ(on->batch_norm_stats_from_input(), 1);
  double worst_grad = 0.0, worst_value = 0.0;
  std::vector<float> moved;
  for (int k = 0; k < 3; ++k) {
    const float la = forward_backward(*on, kBig, k), lb = forward_backward(*off, kBig, k);
    EXPECT_NEAR(la, lb, 1e-5 * std::abs(lb)) << "loss, step " << k;
    auto& pa = on->parameters().all();
    auto& pb = off->parameters().all();
    ASSERT_EQ(pa.size(), pb.size());
    if (k == 0) {
      // The running statistics carry the batch statistics (the variance
      // unbiased) in float: equal to a few float ulps.
      const auto ta = on->named_tensors(), tb = off->named_tensors();
      int checked = 0;
      for (size_t t = 0; t < ta.size(); ++t) {
        if (ta[t].first != "bn_e.running_mean" && ta[t].first != "bn_e.running_var") continue;
        const float scale = max_abs(tb[t].second);
        for (int64_t i = 0; i < ta[t].second.numel(); ++i)
          ASSERT_NEAR(ta[t].second.data()[i], tb[t].second.data()[i], 2e-6f * scale)
              << ta[t].first << "[" << i << "]";
        ++checked;
      }
      EXPECT_EQ(checked, 2);
      // Gradients: 1e-3 of the tensor's largest, or 1e-7 (expand.bias,
      // whose gradient through bn_e is 0 up to rounding).
      for (size_t p = 0; p < pa.size(); ++p) {
        const float g = max_abs(pb[p].grad);
        for (int64_t i = 0; i < pa[p].grad.numel(); ++i) {
          const float d = std::abs(pa[p].grad.data()[i] - pb[p].grad.data()[i]);
          if (g > 1e-5f) worst_grad = std::max(worst_grad, double(d / g));
          ASSERT_LE(d, 1e-3f * g + 1e-7f) << pa[p].name << " grad[" << i << "]";
        }
      }
    }
    sgd(*on);
    sgd(*off);
    // Weights: 1e-5 of the tensor's largest value plus 5% of the largest
    // steps it took (lr * max |gradient|, summed over the steps so far:
    // betas start at 0 and move by their small gradients only).
    if (k == 0) moved.assign(pa.size(), 0.0f);
    for (size_t p = 0; p < pa.size(); ++p) {
      moved[p] += 0.1f * max_abs(pb[p].grad);
      const float v = max_abs(pb[p].value);
      for (int64_t i = 0; i < pa[p].value.numel(); ++i) {
        const float d = std::abs(pa[p].value.data()[i] - pb[p].value.data()[i]);
        worst_value = std::max(worst_value, double(d / (v + moved[p])));
        ASSERT_LE(d, 1e-5f * v + 0.05f * moved[p]) << pa[p].name << "[" << i << "], step " << k;
      }
    }
  }
  std::printf(
      "on vs off, largest difference relative to its tensor's largest value: "
      "step-0 gradients %.2e, weights (over value + steps) %.2e\n",
      worst_grad, worst_value);
}

TEST(NetworkBatchNormStatsFromInput, SameBitsOnEachThreadCount) {
  // The determinism rule: the same seed and thread count, the same bits.
  const int saved = ops::num_threads();
  for (int t = 1; t <= 3; ++t) {
    ops::set_num_threads(t);
    testing::expect_same_training_steps(*make(big_net(), true), *make(big_net(), true), kBig, 2,
                                        "threads " + std::to_string(t));
  }
  ops::set_num_threads(saved);
}

TEST(NetworkBatchNormStatsFromInput, DerivedStatisticsSameBitsOnOneToThreeThreads) {
  // The derived statistics do not depend on the thread count: after one
  // training forward, bn_e's running statistics (set from them) have the
  // same bits on 1, 2 and 3 threads. Convs pinned to one algorithm (the
  // autotuner may pick another per thread count), so that bn_e's input is
  // the same on every thread count too.
  const int saved = ops::num_threads();
  ops::set_conv_algo_pin(ops::ConvAlgo::kDirect);
  std::vector<std::vector<float>> first;
  for (int t = 1; t <= 3; ++t) {
    ops::set_num_threads(t);
    auto net = make(big_net(), true);
    Tensor x = Tensor::empty(kBig), labels = Tensor::empty({kBig[0]});
    fill_batch(x, labels, 0);
    net->forward(std::vector<Tensor>{x, labels}, {true, 0});
    std::vector<std::vector<float>> stats;
    for (const auto& [name, tensor] : net->named_tensors())
      if (name == "bn_e.running_mean" || name == "bn_e.running_var")
        stats.emplace_back(tensor.data(), tensor.data() + tensor.numel());
    ASSERT_EQ(stats.size(), 2u);
    if (t == 1) {
      first = stats;
      continue;
    }
    for (size_t k = 0; k < 2; ++k)
      EXPECT_EQ(std::memcmp(stats[k].data(), first[k].data(), stats[k].size() * 4), 0)
          << (k == 0 ? "running_mean" : "running_var") << ", " << t << " threads";
  }
  ops::set_conv_algo_pin(ops::ConvAlgo::kAuto);
  ops::set_num_threads(saved);
}

TEST(NetworkBatchNormStatsFromInput, GradientsMatchFiniteDifferences) {
  // 16 x 112 x 112 pixels, 4 -> 24 channels: a 19.3 MB expand output, few
  // weights to perturb.
  const Shape x_shape{16, 112, 112, 3};
  auto net = make(block_net(x_shape, 4, 24, true), true);
  ASSERT_EQ(net->batch_norm_stats_from_input(), 1);
  testing::expect_gradients_match_finite_differences(
      *net, x_shape, {"expand.weight", "expand.bias", "bn_e.gamma", "bn_e.beta", "stem.weight"},
      40);
}

}  // namespace
}  // namespace nas::graph
