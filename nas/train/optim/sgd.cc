#include "nas/train/optim/sgd.h"

#include "ops/core/parallel.h"

namespace nas::train {
namespace {

constexpr int64_t kGrain = 1 << 14;

// Straight-line loops over restrict pointers so that -O3 vectorises them.
void sgd_plain(int64_t n, float* __restrict p, const float* __restrict g, float lr, float wd) {
  for (int64_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
}

void sgd_momentum(int64_t n, float* __restrict p, const float* __restrict g, float* __restrict buf,
                  float lr, float mu, float wd, bool nesterov) {
  if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const float gi = g[i] + wd * p[i];
      const float b = mu * buf[i] + gi;
      buf[i] = b;
      p[i] -= lr * (gi + mu * b);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const float b = mu * buf[i] + (g[i] + wd * p[i]);
      buf[i] = b;
      p[i] -= lr * b;
    }
  }
}

}  // namespace

SgdOptimizer::SgdOptimizer(ParamGroup group, float momentum, bool nesterov, float weight_decay)
    : Optimizer(std::move(group)),
      momentum_(momentum),
      nesterov_(nesterov),
      weight_decay_(weight_decay) {
  if (momentum_ > 0.0f) {
    for (const Parameter& p : group_.params)
      momentum_buffers_.push_back(ops::Tensor::zeros(p.value.shape()));
  }
}

void SgdOptimizer::step(float lr) {
  for (std::size_t k = 0; k < group_.params.size(); ++k) {
    const Parameter& prm = group_.params[k];
    float* p = prm.value.data();
    const float* g = prm.grad.data();
    const float wd = prm.decay ? weight_decay_ : 0.0f;
    if (momentum_ > 0.0f) {
      float* buf = momentum_buffers_[k].data();
      ops::parallel_for(prm.value.numel(), kGrain, [&](int64_t b, int64_t e) {
        sgd_momentum(e - b, p + b, g + b, buf + b, lr, momentum_, wd, nesterov_);
      });
    } else {
      ops::parallel_for(prm.value.numel(), kGrain,
                        [&](int64_t b, int64_t e) { sgd_plain(e - b, p + b, g + b, lr, wd); });
    }
  }
  ++steps_;
}

std::map<std::string, ops::Tensor> SgdOptimizer::state() const {
  std::map<std::string, ops::Tensor> s;
  for (std::size_t k = 0; k < momentum_buffers_.size(); ++k)
    s[group_.params[k].name + ".momentum"] = momentum_buffers_[k];
  return s;
}

}  // namespace nas::train
