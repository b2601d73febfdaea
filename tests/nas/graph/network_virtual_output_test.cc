// Never-materialised BatchNorm outputs (NetworkOptions::batch_norm_output_virtual):
// which batch_norm nodes get them, the arena they save, the bits of the
// network that writes them over several SGD steps (fused and unfused, 1-3
// threads, the 1x1 convs on gemm1x1 or autotuned), and gradients through
// BN -> ReLU6 -> 1x1 against central differences.
#include <gtest/gtest.h>

#include <string>

#include "nas/graph/network.h"
#include "ops/conv/conv2d.h"
#include "ops/core/parallel.h"
#include "tests/nas/graph/lockstep_training.h"

namespace nas::graph {
namespace {

using ops::OpAttrs;

// An MBv2 block on `x_shape` images: expand 1x1 to `expand` - bn_e - act_e
// (relu6) - depthwise 3x3 `stride` - bn_d - act_d (relu6) - project 1x1 to 16
// - bn_p - q 1x1 to 8 (reads bn_p directly) - bn_q - pool - linear -
// cross-entropy. bn_d (+ act_d) and bn_p are read by a 1x1 conv alone.
// `residual`: q has 16 outputs and add(bn_q, bn_p) follows (bn_p read twice).
NetworkSpec block_net(ops::Shape x_shape, int64_t expand, int stride, bool residual = false) {
  NetworkSpec s;
  const int x = s.add_input("x", x_shape);
  const int labels = s.add_input("labels", {x_shape[0]});
  testing::add_expand_depthwise(s, x, expand, stride);
  OpAttrs conv;
  conv.kernel = 1;
  conv.out_channels = 16;
  EXPECT_TRUE(s.then("project", "conv2d", conv));
  const int bn_p = s.then("bn_p", "batch_norm").value();
  conv.out_channels = residual ? 16 : 8;
  EXPECT_TRUE(s.then("q", "conv2d", conv));
  const int bn_q = s.then("bn_q", "batch_norm").value();
  if (residual) {
    EXPECT_TRUE(s.add_node("res", "add", {}, {{bn_q, 0}, {bn_p, 0}}));
  }
  testing::add_classifier_head(s, labels);
  return s;
}

const ops::Shape kSmall{4, 6, 6, 3};
// 3136 pixels of 48 channels: several transformed GEMM blocks and
// weight-gradient chunks per 1x1 conv.
const ops::Shape kLarge{16, 14, 14, 3};

std::unique_ptr<Network> make(ops::Shape x_shape, int stride, bool virtual_out, bool fuse,
                              ExecMode mode = ExecMode::kTraining) {
  NetworkOptions options;
  options.batch_norm_output_virtual = virtual_out;
  options.fuse_batch_norm_activation = fuse;
  auto net = Network::create(block_net(x_shape, 48, stride), mode, 17, options).take();
  // bn_d clips at both ends of relu6.
  net->parameters().find("bn_d.gamma")->value.fill(4.0f);
  net->parameters().find("bn_d.beta")->value.fill(3.0f);
  return net;
}

TEST(NetworkVirtualOutput, ChoosesBatchNormsReadOnceByA1x1Conv) {
  // bn_d + act_d (project) and bn_p (q); bn_e feeds a depthwise conv.
  EXPECT_EQ(make(kSmall, 1, true, true)->batch_norm_outputs_virtual(), 2);
  // Unfused, act_d reads bn_d: only bn_p.
  EXPECT_EQ(make(kSmall, 1, true, false)->batch_norm_outputs_virtual(), 1);
  EXPECT_EQ(make(kSmall, 1, false, true)->batch_norm_outputs_virtual(), 0);
  EXPECT_EQ(make(kSmall, 1, true, true, ExecMode::kInference)->batch_norm_outputs_virtual(), 0);
  // The default is off (NetworkOptions).
  EXPECT_EQ(Network::create(block_net(kSmall, 48, 1), ExecMode::kTraining, 17).take()->batch_norm_outputs_virtual(), 0);
  // A BN output read twice (bn_p by q and the residual add) stays materialised.
  NetworkOptions on;
  on.batch_norm_output_virtual = true;
  EXPECT_EQ(Network::create(block_net(kSmall, 48, 1, true), ExecMode::kTraining, 17, on)
                .take()
                ->batch_norm_outputs_virtual(),
            1);
}

TEST(NetworkVirtualOutput, SavesTheBuffersInThePlan) {
  const MemoryReport on = make(kLarge, 1, true, true)->memory_report();
  const MemoryReport off = make(kLarge, 1, false, true)->memory_report();
  EXPECT_LT(on.activation_bytes, off.activation_bytes);
  EXPECT_EQ(on.param_bytes, off.param_bytes);
}

TEST(NetworkVirtualOutput, EqualsMaterialisedOutputsBitForBitOverTrainingSteps) {
  const int saved = ops::num_threads();
  for (ops::ConvAlgo pin : {ops::ConvAlgo::kGemm1x1, ops::ConvAlgo::kAuto}) {
    ops::set_conv_algo_pin(pin);
    for (int t = 1; t <= 3; ++t) {
      ops::set_num_threads(t);
      for (bool fuse : {true, false})
        for (int stride : {1, 2}) {
          const std::string what = std::string(fuse ? "fused" : "unfused") + " stride " +
                                   std::to_string(stride) + " threads " + std::to_string(t) +
                                   (pin == ops::ConvAlgo::kAuto ? " autotuned" : " gemm1x1");
          testing::expect_same_training_steps(*make(kLarge, stride, true, fuse),
                                              *make(kLarge, stride, false, fuse), kLarge, 3, what);
          testing::expect_same_training_steps(*make(kSmall, stride, true, fuse),
                                              *make(kSmall, stride, false, fuse), kSmall, 2, what + " small");
        }
    }
  }
  ops::set_conv_algo_pin(ops::ConvAlgo::kAuto);
  ops::set_num_threads(saved);
}

// 32 images of 28x28x96 at the depthwise conv: a batch beyond the caches,
// whose depthwise backward takes the transform (conv_depthwise.h), so bn_e
// (+ act_e) is not materialised either; off, the depthwise conv writes it
// (batch_norm_apply_in_depthwise).
const ops::Shape kBeyondCaches{32, 28, 28, 3};

std::unique_ptr<Network> make_big(int stride, bool virtual_out) {
  NetworkOptions options;
  options.batch_norm_output_virtual = virtual_out;
  auto net = Network::create(block_net(kBeyondCaches, 96, stride), ExecMode::kTraining, 19, options).take();
  net->parameters().find("bn_e.gamma")->value.fill(4.0f);
  net->parameters().find("bn_e.beta")->value.fill(3.0f);
  return net;
}

TEST(NetworkVirtualOutput, DepthwiseInputEqualsMaterialisedBitForBit) {
  EXPECT_EQ(make_big(1, true)->batch_norm_outputs_virtual(), 3);
  EXPECT_EQ(make_big(1, true)->batch_norm_apply_in_depthwise(), 0);
  EXPECT_EQ(make_big(1, false)->batch_norm_apply_in_depthwise(), 1);
  EXPECT_LT(make_big(1, true)->memory_report().activation_bytes,
            make_big(1, false)->memory_report().activation_bytes);
  const int saved = ops::num_threads();
  for (int t = 1; t <= 2; ++t) {
    ops::set_num_threads(t);
    for (int stride : {1, 2})
      testing::expect_same_training_steps(*make_big(stride, true), *make_big(stride, false), kBeyondCaches, 2,
                                          "stride " + std::to_string(stride) + " threads " + std::to_string(t));
  }
  ops::set_num_threads(saved);
}

TEST(NetworkVirtualOutput, GradientsThroughBatchNormRelu6ProjectMatchFiniteDifferences) {
  NetworkOptions options;
  options.batch_norm_output_virtual = true;
  auto net = Network::create(block_net(kSmall, 12, 1), ExecMode::kTraining, 5, options).take();
  ASSERT_EQ(net->batch_norm_outputs_virtual(), 2);
  // relu6 clips bn_d's output beyond 1.5 standard deviations either side,
  // where fewer values sit near a kink than around 0 (central differences
  // across a kink are off: the option-off network fails the same check at
  // gamma 1, beta 0).
  net->parameters().find("bn_d.gamma")->value.fill(2.0f);
  net->parameters().find("bn_d.beta")->value.fill(3.0f);
  testing::expect_gradients_match_finite_differences(
      *net, kSmall,
      {"expand.weight", "dw.weight", "bn_d.gamma", "bn_d.beta", "project.weight", "bn_p.gamma",
       "bn_p.beta", "q.weight"},
      40);
}

}  // namespace
}  // namespace nas::graph
