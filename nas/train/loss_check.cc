#include "nas/train/loss_check.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace nas::train {
namespace {

std::string describe(float v) {
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

}  // namespace

Status check_loss_finite(float loss, int64_t step) {
  if (std::isfinite(loss)) return Status::ok();
  return Status::error("failed to train at step " + std::to_string(step) + ": loss is " +
                       describe(loss));
}

int64_t first_non_finite(const ops::Tensor& t) {
  const float* x = t.data();
  const int64_t n = t.numel();
  // Non-finite floats have all exponent bits set. An integer OR over a block
  // vectorises (a float sum would not, without -ffast-math); only a block
  // that has one is searched element by element.
  constexpr int64_t kBlock = 1024;
  constexpr uint32_t kExponent = 0x7f800000u;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    uint32_t bad = 0;
    for (int64_t i = b; i < e; ++i)
      bad |= static_cast<uint32_t>((std::bit_cast<uint32_t>(x[i]) & kExponent) == kExponent);
    if (bad != 0) {
      for (int64_t i = b; i < e; ++i)
        if (!std::isfinite(x[i])) return i;
    }
  }
  return -1;
}

Status check_tensor_finite(const ops::Tensor& t, const std::string& what, int64_t step) {
  const int64_t i = first_non_finite(t);
  if (i < 0) return Status::ok();
  return Status::error("failed to train at step " + std::to_string(step) + ": " + what +
                       " has a non-finite value (" + describe(t.data()[i]) + " at index " +
                       std::to_string(i) + ")");
}

}  // namespace nas::train
