#include "nas/train/optim/network_params.h"

#include <gtest/gtest.h>

#include "nas/train/optim/optimizer.h"

namespace nas::train {
namespace {

TEST(NetworkParams, SplitsByKindInCreationOrderAndExemptsVectorsFromDecay) {
  graph::ParameterStore store;
  store.add("conv.weight", {3, 3, 2, 4}, ops::ParamKind::kWeight);
  store.add("alpha", {4}, ops::ParamKind::kArchitecture);
  store.add("bn.gamma", {4}, ops::ParamKind::kWeight);
  const ParamGroup w = params_of_kind(store, ops::ParamKind::kWeight, "weights");
  const ParamGroup a = params_of_kind(store, ops::ParamKind::kArchitecture, "arch");
  ASSERT_EQ(w.params.size(), 2u);
  EXPECT_EQ(w.params[0].name, "conv.weight");
  EXPECT_EQ(w.params[1].name, "bn.gamma");
  EXPECT_TRUE(w.params[0].decay);
  EXPECT_FALSE(w.params[1].decay);
  ASSERT_EQ(a.params.size(), 1u);
  EXPECT_EQ(a.params[0].value.data(), store.find("alpha")->value.data());  // a view
  EXPECT_TRUE(
      params_of_kind(store, ops::ParamKind::kWeight, "w", {.decay_vectors = true}).params[1].decay);
}

// decay = false parameters get no weight decay, in every optimizer.
TEST(NetworkParams, NoDecayParametersAreNotDecayed) {
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam, OptimizerKind::kAdamW}) {
    ParamGroup g{"w",
                 {{"decayed", ops::Tensor::zeros({1}), ops::Tensor::zeros({1}), true},
                  {"kept", ops::Tensor::zeros({1}), ops::Tensor::zeros({1}), false}}};
    for (Parameter& p : g.params) {
      p.value.fill(1.0f);
      p.grad.fill(0.0f);
    }
    OptimizerConfig c;
    c.kind = kind;
    c.weight_decay = 0.5f;
    auto opt = make_optimizer(c, g).take();
    opt->step(0.1f);
    EXPECT_LT(g.params[0].value.data()[0], 1.0f);
    EXPECT_EQ(g.params[1].value.data()[0], 1.0f);
  }
}

}  // namespace
}  // namespace nas::train
