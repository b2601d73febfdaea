// Training-mode fusion of batch_norm with the relu / relu6 that alone reads
// it (NetworkOptions::fuse_batch_norm_activation): the fused network gives
// the unfused one's bits for outputs, parameter gradients and running
// statistics, over several SGD steps, and plans less memory.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "nas/graph/network.h"
#include "tests/nas/graph/lockstep_training.h"

namespace nas::graph {
namespace {

using ops::OpAttrs;
using ops::Tensor;

// conv - bn1 - relu6 (fused) - conv 1x1 to 5 channels - bn2 - relu (fused)
// - bn3 read by relu and add (not fused) - bn4 - tanh (not fused) - pool -
// linear - softmax cross-entropy.
NetworkSpec fusion_net() {
  NetworkSpec s;
  const int x = s.add_input("x", {4, 6, 6, 3});
  const int labels = s.add_input("labels", {4});
  OpAttrs conv;
  conv.out_channels = 8;
  conv.kernel = 3;
  EXPECT_TRUE(s.add_node("conv1", "conv2d", conv, {{x, 0}}));
  EXPECT_TRUE(s.then("bn1", "batch_norm"));
  EXPECT_TRUE(s.then("act1", "relu6"));
  conv.out_channels = 5;
  conv.kernel = 1;
  EXPECT_TRUE(s.then("conv2", "conv2d", conv));
  EXPECT_TRUE(s.then("bn2", "batch_norm"));
  EXPECT_TRUE(s.then("act2", "relu"));
  const int bn3 = s.then("bn3", "batch_norm").value();
  const int act3 = s.then("act3", "relu").value();
  EXPECT_TRUE(s.add_node("add", "add", {}, {{act3, 0}, {bn3, 0}}));
  EXPECT_TRUE(s.then("bn4", "batch_norm"));
  EXPECT_TRUE(s.then("act4", "tanh"));
  testing::add_classifier_head(s, labels);
  return s;
}

std::unique_ptr<Network> make(bool fuse) {
  NetworkOptions options;
  options.fuse_batch_norm_activation = fuse;
  auto net = Network::create(fusion_net(), ExecMode::kTraining, 21, options).take();
  // bn1's output spans about [-9, 15]: relu6 clips at both ends.
  net->parameters().find("bn1.gamma")->value.fill(4.0f);
  net->parameters().find("bn1.beta")->value.fill(3.0f);
  return net;
}

TEST(NetworkFusion, FusesOnlyBatchNormReadByOneReluOrRelu6) {
  EXPECT_EQ(make(true)->fused_pairs(), 2);  // bn1-act1, bn2-act2
  EXPECT_EQ(make(false)->fused_pairs(), 0);
  auto inference = Network::create(fusion_net(), ExecMode::kInference, 21).take();
  EXPECT_EQ(inference->fused_pairs(), 0);
}

TEST(NetworkFusion, FusedEqualsUnfusedBitForBitOverTrainingSteps) {
  auto fused = make(true);
  auto plain = make(false);
  testing::expect_same_training_steps(*fused, *plain, {4, 6, 6, 3}, 3, "fused vs unfused");
  Tensor x = Tensor::empty({4, 6, 6, 3}), labels = Tensor::empty({4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37 * i);
  for (int64_t i = 0; i < labels.numel(); ++i) labels.data()[i] = float(i % 3);
  // Same names and bits for every saved tensor, running statistics included.
  const auto tf = fused->named_tensors();
  const auto tp = plain->named_tensors();
  ASSERT_EQ(tf.size(), tp.size());
  for (size_t k = 0; k < tf.size(); ++k) {
    EXPECT_EQ(tf[k].first, tp[k].first);
    EXPECT_TRUE(testing::same_bits(tf[k].second, tp[k].second)) << tf[k].first;
  }
  // Evaluation in a training network (running statistics) fuses too.
  Tensor ef = fused->forward(std::vector<Tensor>{x, labels}, {false, 0})[0].clone();
  Tensor ep = plain->forward(std::vector<Tensor>{x, labels}, {false, 0})[0];
  EXPECT_TRUE(testing::same_bits(ef, ep));
}

// Each fused pair drops the BN output and its gradient from the plan. They
// are the largest buffers here (4*6*6*8 floats for bn1), so the arena shrinks.
TEST(NetworkFusion, FusedPlanNeedsLessMemory) {
  const MemoryReport f = make(true)->memory_report();
  const MemoryReport p = make(false)->memory_report();
  EXPECT_LT(f.activation_bytes, p.activation_bytes);
  EXPECT_LT(f.live_bytes_bound, p.live_bytes_bound);
  EXPECT_EQ(f.param_bytes, p.param_bytes);
}

}  // namespace
}  // namespace nas::graph
