#include "nas/train/optim/grad_clip.h"

#include <cmath>

namespace nas::train {
namespace {

// Four independent partial sums: the compiler may keep them in vector lanes
// without reassociating (the order is fixed by the code, not by -O flags).
double sum_squares(const float* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += static_cast<double>(x[i]) * x[i];
    s1 += static_cast<double>(x[i + 1]) * x[i + 1];
    s2 += static_cast<double>(x[i + 2]) * x[i + 2];
    s3 += static_cast<double>(x[i + 3]) * x[i + 3];
  }
  for (; i < n; ++i) s0 += static_cast<double>(x[i]) * x[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

double global_grad_norm(const ParamGroup& group) {
  double total = 0.0;
  for (const Parameter& p : group.params) total += sum_squares(p.grad.data(), p.grad.numel());
  return std::sqrt(total);
}

double clip_grad_norm(const ParamGroup& group, double max_norm) {
  NAS_CHECK(max_norm > 0.0);
  const double norm = global_grad_norm(group);
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  const float scale = static_cast<float>(max_norm / (norm + 1e-6));
  for (const Parameter& p : group.params) {
    float* g = p.grad.data();
    const int64_t n = p.grad.numel();
    for (int64_t i = 0; i < n; ++i) g[i] *= scale;
  }
  return norm;
}

}  // namespace nas::train
