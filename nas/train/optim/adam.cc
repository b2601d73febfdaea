#include "nas/train/optim/adam.h"

#include <cmath>

#include "ops/core/parallel.h"

namespace nas::train {
namespace {

constexpr int64_t kGrain = 1 << 14;

struct AdamStep {
  float b1, b2, eps;
  float l2;            // added to the gradient (Adam)
  float decay;         // p *= decay first (AdamW), 1 otherwise
  float step_size;     // lr / (1 - b1^t)
  float inv_sqrt_bc2;  // 1 / sqrt(1 - b2^t)
};

// Vectorised only when compiled with -fno-math-errno (nas/CMakeLists.txt sets
// it for this file): otherwise GCC keeps a branch to a scalar sqrtf call for
// errno and the loop stays scalar (measured 2.5x slower).
void adam_update(int64_t n, float* __restrict p, const float* __restrict grad, float* __restrict m,
                 float* __restrict v, const AdamStep& s) {
  for (int64_t i = 0; i < n; ++i) {
    const float pi = p[i] * s.decay;
    const float g = grad[i] + s.l2 * pi;
    const float mi = s.b1 * m[i] + (1.0f - s.b1) * g;
    const float vi = s.b2 * v[i] + (1.0f - s.b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - s.step_size * mi / (std::sqrt(vi) * s.inv_sqrt_bc2 + s.eps);
  }
}

}  // namespace

AdamOptimizer::AdamOptimizer(ParamGroup group, float beta1, float beta2, float eps,
                             float weight_decay, bool decoupled)
    : Optimizer(std::move(group)),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay),
      decoupled_(decoupled) {
  for (const Parameter& p : group_.params) {
    exp_avg_.push_back(ops::Tensor::zeros(p.value.shape()));
    exp_avg_sq_.push_back(ops::Tensor::zeros(p.value.shape()));
  }
}

void AdamOptimizer::step(float lr) {
  const double t = static_cast<double>(steps_ + 1);
  const double bc1 = 1.0 - std::pow(static_cast<double>(beta1_), t);
  const double bc2 = 1.0 - std::pow(static_cast<double>(beta2_), t);
  AdamStep with_decay;
  with_decay.b1 = beta1_;
  with_decay.b2 = beta2_;
  with_decay.eps = eps_;
  with_decay.l2 = decoupled_ ? 0.0f : weight_decay_;
  with_decay.decay = decoupled_ ? 1.0f - lr * weight_decay_ : 1.0f;
  with_decay.step_size = static_cast<float>(lr / bc1);
  with_decay.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  AdamStep no_decay = with_decay;
  no_decay.l2 = 0.0f;
  no_decay.decay = 1.0f;
  for (std::size_t k = 0; k < group_.params.size(); ++k) {
    const Parameter& prm = group_.params[k];
    const AdamStep& s = prm.decay ? with_decay : no_decay;
    float* p = prm.value.data();
    const float* g = prm.grad.data();
    float* m = exp_avg_[k].data();
    float* v = exp_avg_sq_[k].data();
    ops::parallel_for(prm.value.numel(), kGrain, [&](int64_t b, int64_t e) {
      adam_update(e - b, p + b, g + b, m + b, v + b, s);
    });
  }
  ++steps_;
}

std::map<std::string, ops::Tensor> AdamOptimizer::state() const {
  std::map<std::string, ops::Tensor> st;
  for (std::size_t k = 0; k < exp_avg_.size(); ++k) {
    st[group_.params[k].name + ".exp_avg"] = exp_avg_[k];
    st[group_.params[k].name + ".exp_avg_sq"] = exp_avg_sq_[k];
  }
  return st;
}

}  // namespace nas::train
