// In-place gradients in training networks (NetworkOptions::in_place_gradients):
// batch_norm writing dx over dy and add passing dy through as one input's
// gradient share buffers with the output gradient; the results are the bits
// of the network that gives every gradient its own buffer, over several SGD
// steps, with and without BN + activation fusion, through residual adds and
// tensors read several times (once by one node reading it twice).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "nas/graph/network.h"
#include "tests/nas/graph/lockstep_training.h"

namespace nas::graph {
namespace {

using ops::OpAttrs;

// stem conv - bn_s - relu_s = s; an inverted residual block on s (expand
// conv - bn_e - relu6_e - depthwise - bn_d - relu6_d - project conv - bn_p),
// r = add(bn_p, s); rr = add(r, r) (one node reading r twice);
// q conv on rr - bn_q; t = add(rr, bn_q); pool - linear - cross-entropy.
// `smooth` puts tanh in place of relu / relu6 (no kinks for finite
// differences to straddle: every BN output moves when one weight does).
NetworkSpec residual_net(bool smooth = false) {
  NetworkSpec s;
  const int x = s.add_input("x", {4, 6, 6, 3});
  const int labels = s.add_input("labels", {4});
  OpAttrs conv;
  conv.out_channels = 8;
  conv.kernel = 3;
  EXPECT_TRUE(s.add_node("stem", "conv2d", conv, {{x, 0}}));
  EXPECT_TRUE(s.then("bn_s", "batch_norm"));
  const int stem = s.then("relu_s", smooth ? "tanh" : "relu").value();
  conv.out_channels = 16;
  conv.kernel = 1;
  EXPECT_TRUE(s.then("expand", "conv2d", conv));
  EXPECT_TRUE(s.then("bn_e", "batch_norm"));
  EXPECT_TRUE(s.then("relu6_e", smooth ? "tanh" : "relu6"));
  OpAttrs dw;
  dw.kernel = 3;
  EXPECT_TRUE(s.then("dw", "depthwise_conv2d", dw));
  EXPECT_TRUE(s.then("bn_d", "batch_norm"));
  EXPECT_TRUE(s.then("relu6_d", smooth ? "tanh" : "relu6"));
  conv.out_channels = 8;
  EXPECT_TRUE(s.then("project", "conv2d", conv));
  const int bn_p = s.then("bn_p", "batch_norm").value();
  const int r = s.add_node("r", "add", {}, {{bn_p, 0}, {stem, 0}}).value();
  const int rr = s.add_node("rr", "add", {}, {{r, 0}, {r, 0}}).value();
  EXPECT_TRUE(s.then("q", "conv2d", conv));
  const int bn_q = s.then("bn_q", "batch_norm").value();
  EXPECT_TRUE(s.add_node("t", "add", {}, {{rr, 0}, {bn_q, 0}}));
  testing::add_classifier_head(s, labels);
  return s;
}

std::unique_ptr<Network> make(bool in_place, bool fuse) {
  NetworkOptions options;
  options.in_place_gradients = in_place;
  options.fuse_batch_norm_activation = fuse;
  auto net = Network::create(residual_net(), ExecMode::kTraining, 5, options).take();
  // bn_e's output spans well past [0, 6]: relu6 clips at both ends.
  net->parameters().find("bn_e.gamma")->value.fill(4.0f);
  net->parameters().find("bn_e.beta")->value.fill(3.0f);
  return net;
}

TEST(NetworkInPlace, ChoosesBatchNormAndOneAddInputReadOnlyByThem) {
  // bn_s, bn_e, bn_d, bn_p, bn_q (each input read by the BN alone), r (its
  // input bn_p; s is also read by expand), t (its input bn_q; rr is also read
  // by q). Not rr: it reads r twice.
  EXPECT_EQ(make(true, true)->in_place_gradients(), 7);
  EXPECT_EQ(make(true, false)->in_place_gradients(), 7);
  EXPECT_EQ(make(false, true)->in_place_gradients(), 0);
  auto inference = Network::create(residual_net(), ExecMode::kInference, 5).take();
  EXPECT_EQ(inference->in_place_gradients(), 0);
}

TEST(NetworkInPlace, PlanNeedsLessMemory) {
  for (bool fuse : {true, false}) {
    const MemoryReport in_place = make(true, fuse)->memory_report();
    const MemoryReport separate = make(false, fuse)->memory_report();
    EXPECT_LT(in_place.activation_bytes, separate.activation_bytes) << fuse;
    EXPECT_EQ(in_place.param_bytes, separate.param_bytes);
  }
}

TEST(NetworkInPlace, EqualsSeparateBuffersBitForBitOverTrainingSteps) {
  for (bool fuse : {true, false})
    testing::expect_same_training_steps(*make(true, fuse), *make(false, fuse), {4, 6, 6, 3}, 3,
                                        fuse ? "fused" : "unfused");
}

// The in-place executor's gradients against central differences of the loss
// (every parameter before the residual adds is reached through them, and
// through s, r and rr, each read twice), on the smooth variant.
TEST(NetworkInPlace, GradientsMatchFiniteDifferences) {
  auto net = Network::create(residual_net(true), ExecMode::kTraining, 5).take();
  ASSERT_EQ(net->in_place_gradients(), 7);
  testing::expect_gradients_match_finite_differences(
      *net, {4, 6, 6, 3},
      {"stem.weight", "bn_s.gamma", "expand.weight", "bn_d.beta", "project.weight", "bn_p.gamma",
       "q.weight"},
      40);
}

}  // namespace
}  // namespace nas::graph
