// BatchNorm passes gathered by convs (NetworkOptions::batch_norm_stats_in_conv
// and batch_norm_grad_sums_in_conv): which batch_norm nodes get them, the
// bits of the network that runs BN's own passes over several SGD steps (with
// and without BN + activation fusion, on 1, 2 and 3 threads), and gradients
// against central differences with both on.
#include <gtest/gtest.h>

#include <string>

#include "nas/graph/network.h"
#include "ops/core/parallel.h"
#include "tests/nas/graph/lockstep_training.h"

namespace nas::graph {
namespace {

using ops::OpAttrs;

// stem conv 3x3 - bn_s - act; expand 1x1 - bn_e - depthwise 3x3 (reads bn_e
// directly) - bn_d - act6; project 1x1 - bn_p - q 1x1 (reads bn_p directly)
// - bn_q; add(bn_q, stem act) - pool - linear - cross-entropy. `smooth`
// puts tanh in place of relu / relu6 (for finite differences).
NetworkSpec bn_conv_net(bool smooth) {
  NetworkSpec s;
  const int x = s.add_input("x", {4, 6, 6, 3});
  const int labels = s.add_input("labels", {4});
  OpAttrs conv;
  conv.out_channels = 8;
  conv.kernel = 3;
  EXPECT_TRUE(s.add_node("stem", "conv2d", conv, {{x, 0}}));
  EXPECT_TRUE(s.then("bn_s", "batch_norm"));
  const int stem = s.then("act_s", smooth ? "tanh" : "relu").value();
  conv.out_channels = 16;
  conv.kernel = 1;
  EXPECT_TRUE(s.then("expand", "conv2d", conv));
  EXPECT_TRUE(s.then("bn_e", "batch_norm"));
  OpAttrs dw;
  dw.kernel = 3;
  EXPECT_TRUE(s.then("dw", "depthwise_conv2d", dw));
  EXPECT_TRUE(s.then("bn_d", "batch_norm"));
  EXPECT_TRUE(s.then("act_d", smooth ? "tanh" : "relu6"));
  conv.out_channels = 8;
  EXPECT_TRUE(s.then("project", "conv2d", conv));
  EXPECT_TRUE(s.then("bn_p", "batch_norm"));
  EXPECT_TRUE(s.then("q", "conv2d", conv));
  const int bn_q = s.then("bn_q", "batch_norm").value();
  EXPECT_TRUE(s.add_node("t", "add", {}, {{bn_q, 0}, {stem, 0}}));
  testing::add_classifier_head(s, labels);
  return s;
}

// A training network whose batch_norm `clipped` (gamma 4, beta 3) gives an
// output well past [0, 6], so a relu6 after it clips at both ends.
std::unique_ptr<Network> make_clipping(const NetworkSpec& spec, uint64_t seed, const NetworkOptions& options,
                                       const std::string& clipped) {
  auto net = Network::create(spec, ExecMode::kTraining, seed, options).take();
  net->parameters().find(clipped + ".gamma")->value.fill(4.0f);
  net->parameters().find(clipped + ".beta")->value.fill(3.0f);
  return net;
}

std::unique_ptr<Network> make(bool in_conv, bool fuse, bool smooth = false) {
  NetworkOptions options;
  options.batch_norm_stats_in_conv = in_conv;
  options.batch_norm_grad_sums_in_conv = in_conv;
  options.fuse_batch_norm_activation = fuse;
  return make_clipping(bn_conv_net(smooth), 9, options, "bn_d");
}

TEST(NetworkBatchNormInConv, ChoosesBatchNormsNextToConvs) {
  auto on = make(true, true);
  // Every BN reads a conv's output; BN outputs (or fused activations) read
  // by a conv alone: bn_e (dw), bn_d + act_d (project), bn_p (q).
  EXPECT_EQ(on->batch_norm_stats_in_conv(), 5);
  EXPECT_EQ(on->batch_norm_grad_sums_in_conv(), 3);
  auto off = make(false, true);
  EXPECT_EQ(off->batch_norm_stats_in_conv(), 0);
  EXPECT_EQ(off->batch_norm_grad_sums_in_conv(), 0);
  // The defaults: statistics on, gradient sums off (see NetworkOptions).
  auto def = Network::create(bn_conv_net(false), ExecMode::kTraining, 9).take();
  EXPECT_EQ(def->batch_norm_stats_in_conv(), 5);
  EXPECT_EQ(def->batch_norm_grad_sums_in_conv(), 0);
  auto inference = Network::create(bn_conv_net(false), ExecMode::kInference, 9).take();
  EXPECT_EQ(inference->batch_norm_stats_in_conv(), 0);
}

TEST(NetworkBatchNormInConv, EqualsOwnPassesBitForBitOverTrainingSteps) {
  const int saved = ops::num_threads();
  for (int t = 1; t <= 3; ++t) {
    ops::set_num_threads(t);
    for (bool fuse : {true, false})
      testing::expect_same_training_steps(
          *make(true, fuse), *make(false, fuse), {4, 6, 6, 3}, 3,
          std::string(fuse ? "fused" : "unfused") + " threads " + std::to_string(t));
  }
  ops::set_num_threads(saved);
}

// expand 1x1 to 96 - bn_e - act_e (relu6) - depthwise 3x3 `stride` - bn_d -
// act_d - pool - linear - cross-entropy, on 32 28x28 images: the depthwise
// input (9.6 MB) and output make a batch beyond the caches, so the conv
// normalises bn_e's output row by row in its ring (stride 1 and 2).
NetworkSpec apply_in_depthwise_net(int stride) {
  NetworkSpec s;
  const int x = s.add_input("x", {32, 28, 28, 3});
  const int labels = s.add_input("labels", {32});
  testing::add_expand_depthwise(s, x, 96, stride);
  testing::add_classifier_head(s, labels);
  return s;
}

std::unique_ptr<Network> make_apply(int stride, bool apply, bool fuse) {
  NetworkOptions options;
  options.batch_norm_apply_in_depthwise = apply;
  // Materialised BN outputs (else the depthwise conv reads bn_e's input
  // through the transform in both passes: network_virtual_output_test).
  options.batch_norm_output_virtual = false;
  options.fuse_batch_norm_activation = fuse;
  return make_clipping(apply_in_depthwise_net(stride), 13, options, "bn_e");
}

TEST(NetworkBatchNormInConv, ApplyInDepthwiseChoosesBatchNormsReadOnlyByADepthwise) {
  EXPECT_EQ(make_apply(1, true, true)->batch_norm_apply_in_depthwise(), 1);   // bn_e (+ act_e)
  EXPECT_EQ(make_apply(1, true, false)->batch_norm_apply_in_depthwise(), 0);  // act_e reads bn_e
  EXPECT_EQ(make_apply(1, false, true)->batch_norm_apply_in_depthwise(), 0);
  // The default is on; bn_conv_net's bn_e feeds its depthwise directly.
  EXPECT_EQ(Network::create(bn_conv_net(false), ExecMode::kTraining, 9).take()->batch_norm_apply_in_depthwise(), 1);
  EXPECT_EQ(Network::create(bn_conv_net(false), ExecMode::kInference, 9).take()->batch_norm_apply_in_depthwise(), 0);
}

TEST(NetworkBatchNormInConv, ApplyInDepthwiseEqualsBatchNormsOwnPassBitForBit) {
  const int saved = ops::num_threads();
  for (int t = 1; t <= 2; ++t) {
    ops::set_num_threads(t);
    for (int stride : {1, 2})
      testing::expect_same_training_steps(*make_apply(stride, true, true), *make_apply(stride, false, true),
                                          {32, 28, 28, 3}, 2,
                                          "stride " + std::to_string(stride) + " threads " + std::to_string(t));
    // Small tensors: the conv transforms its whole input first.
    NetworkOptions off;
    off.batch_norm_apply_in_depthwise = false;
    testing::expect_same_training_steps(*Network::create(bn_conv_net(false), ExecMode::kTraining, 9).take(),
                                        *Network::create(bn_conv_net(false), ExecMode::kTraining, 9, off).take(),
                                        {4, 6, 6, 3}, 2, "bn_conv_net threads " + std::to_string(t));
  }
  ops::set_num_threads(saved);
}

TEST(NetworkBatchNormInConv, GradientsMatchFiniteDifferences) {
  auto net = make(true, true, true);
  ASSERT_EQ(net->batch_norm_grad_sums_in_conv(), 2);  // bn_e (dw), bn_p (q)
  testing::expect_gradients_match_finite_differences(
      *net, {4, 6, 6, 3},
      {"stem.weight", "expand.weight", "bn_e.gamma", "bn_e.beta", "dw.weight", "project.weight",
       "bn_p.gamma", "bn_p.beta"},
      40);
}

}  // namespace
}  // namespace nas::graph
