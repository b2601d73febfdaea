// SGD with optional momentum, Nesterov momentum and L2 weight decay, as
// torch.optim.SGD (dampening 0):
//   g = grad + wd * p;  buf = momentum * buf + g;
//   d = nesterov ? g + momentum * buf : buf;  p -= lr * d.
// With momentum 0 there is no buffer and d = g.
#pragma once

#include <vector>

#include "nas/train/optim/optimizer.h"

namespace nas::train {

class SgdOptimizer final : public Optimizer {
 public:
  // REQUIRES: group.validate() ok; 0 <= momentum < 1; weight_decay >= 0
  // (make_optimizer checks these).
  SgdOptimizer(ParamGroup group, float momentum, bool nesterov, float weight_decay);
  void step(float lr) override;
  std::map<std::string, ops::Tensor> state() const override;

 private:
  float momentum_;
  bool nesterov_;
  float weight_decay_;
  std::vector<ops::Tensor> momentum_buffers_;  // one per parameter when momentum > 0
};

}  // namespace nas::train
