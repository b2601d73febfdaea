#include "nas/train/optim/optimizer_checkpoint.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nas/graph/safetensors.h"
#include "tests/nas/train/test_files.h"

namespace nas::train {
namespace {

using testing::TempDir;

struct Model {
  ParamGroup group{"weights",
                   {{"a", ops::Tensor::zeros({5}), ops::Tensor::zeros({5})},
                    {"b", ops::Tensor::zeros({2, 3}), ops::Tensor::zeros({2, 3})}}};
  std::unique_ptr<Optimizer> opt;
  explicit Model(OptimizerKind kind) {
    OptimizerConfig c;
    c.kind = kind;
    c.momentum = kind == OptimizerKind::kSgd ? 0.9f : 0.0f;
    opt = make_optimizer(c, group).take();
  }
  void step(int s) {
    for (const Parameter& p : group.params)
      for (int64_t i = 0; i < p.grad.numel(); ++i) p.grad.data()[i] = std::sin(1.0f + s + 0.3f * i);
    opt->step(0.05f);
  }
  std::vector<float> values() const {
    std::vector<float> v;
    for (const Parameter& p : group.params)
      v.insert(v.end(), p.value.data(), p.value.data() + p.value.numel());
    return v;
  }
};

// Stopping after 3 steps, saving, and resuming into fresh state gives the
// same parameters after 6 steps as running straight through.
TEST(OptimizerCheckpoint, ResumeContinuesBitIdentically) {
  TempDir dir;
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam}) {
    Model straight(kind), first(kind);
    for (int s = 0; s < 6; ++s) straight.step(s);
    for (int s = 0; s < 3; ++s) first.step(s);
    ASSERT_TRUE(save_optimizer_state(dir.path() / "opt.safetensors", *first.opt));
    Model resumed(kind);
    for (std::size_t k = 0; k < first.group.params.size(); ++k)  // the weights checkpoint's job
      resumed.group.params[k].value = first.group.params[k].value.clone();
    resumed.opt =
        make_optimizer({kind, 0.0f, kind == OptimizerKind::kSgd ? 0.9f : 0.0f}, resumed.group)
            .take();
    const Status s = load_optimizer_state(dir.path() / "opt.safetensors", *resumed.opt);
    ASSERT_TRUE(s) << s.message();
    EXPECT_EQ(resumed.opt->step_count(), 3);
    for (int t = 3; t < 6; ++t) resumed.step(t);
    EXPECT_EQ(resumed.values(), straight.values());
  }
}

TEST(OptimizerCheckpoint, RefusesAnotherOptimizersState) {
  TempDir dir;
  Model sgd(OptimizerKind::kSgd), adam(OptimizerKind::kAdam);
  sgd.step(0);
  ASSERT_TRUE(save_optimizer_state(dir.path() / "sgd", *sgd.opt));
  const Status s = load_optimizer_state(dir.path() / "sgd", *adam.opt);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor \"a.exp_avg\" is missing"), std::string::npos) << s.message();
  EXPECT_EQ(adam.opt->step_count(), 0);

  ASSERT_TRUE(graph::save_safetensors(dir.path() / "nostep", sgd.opt->state()));
  EXPECT_FALSE(load_optimizer_state(dir.path() / "nostep", *sgd.opt));
  ASSERT_TRUE(graph::save_safetensors(dir.path() / "badstep", sgd.opt->state(), {{"step", "3x"}}));
  EXPECT_FALSE(load_optimizer_state(dir.path() / "badstep", *sgd.opt));
}

}  // namespace
}  // namespace nas::train
