// Optimizer: updates one ParamGroup from its gradients. SGD (momentum,
// Nesterov, weight decay), Adam and AdamW follow PyTorch's update formulas,
// so hyper-parameters carry over. Updates go parameter by parameter in list
// order; each element's update is independent of the others, so results do
// not depend on the thread count.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "nas/train/optim/param_group.h"

namespace nas::train {

enum class OptimizerKind { kSgd, kAdam, kAdamW };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  // SGD and Adam: L2 penalty added to the gradient (g += wd * p).
  // AdamW: decoupled decay applied to the weights (p -= lr * wd * p).
  // Parameters with Parameter::decay = false get none.
  float weight_decay = 0.0f;
  float momentum = 0.0f;  // SGD; 0 = plain SGD, must be in [0, 1)
  bool nesterov = false;  // SGD; REQUIRES momentum > 0
  float beta1 = 0.9f;     // Adam / AdamW, in [0, 1)
  float beta2 = 0.999f;   // Adam / AdamW, in [0, 1)
  float eps = 1e-8f;      // Adam / AdamW, > 0
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter at learning rate lr. Not thread-safe.
  virtual void step(float lr) = 0;
  // The optimizer's state tensors by name ("<param>.momentum", "<param>.exp_avg",
  // "<param>.exp_avg_sq"): views, so a checkpoint can save them and a resume
  // can copy saved values into them.
  virtual std::map<std::string, ops::Tensor> state() const = 0;

  // Sets every gradient of the group to zero.
  void zero_grad();
  const ParamGroup& group() const { return group_; }
  // Updates done so far (Adam's bias correction uses it); settable for resume.
  int64_t step_count() const { return steps_; }
  void set_step_count(int64_t steps) { steps_ = steps; }

 protected:
  explicit Optimizer(ParamGroup group) : group_(std::move(group)) {}
  ParamGroup group_;
  int64_t steps_ = 0;
};

// Creates the optimizer `config.kind` over `group`, with zeroed state.
// Fails on an invalid group or a hyper-parameter out of range, naming it.
Result<std::unique_ptr<Optimizer>> make_optimizer(const OptimizerConfig& config, ParamGroup group);

}  // namespace nas::train
