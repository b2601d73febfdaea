// Adam and AdamW, as torch.optim.Adam / AdamW. At step t (1-based):
//   AdamW: p *= 1 - lr * wd          Adam: g = grad + wd * p
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
#pragma once

#include <vector>

#include "nas/train/optim/optimizer.h"

namespace nas::train {

class AdamOptimizer final : public Optimizer {
 public:
  // decoupled = true is AdamW. REQUIRES: group.validate() ok; betas in
  // [0, 1); eps > 0; weight_decay >= 0 (make_optimizer checks these).
  AdamOptimizer(ParamGroup group, float beta1, float beta2, float eps, float weight_decay,
                bool decoupled);
  void step(float lr) override;
  std::map<std::string, ops::Tensor> state() const override;

 private:
  float beta1_, beta2_, eps_, weight_decay_;
  bool decoupled_;
  std::vector<ops::Tensor> exp_avg_;     // m, one per parameter
  std::vector<ops::Tensor> exp_avg_sq_;  // v, one per parameter
};

}  // namespace nas::train
