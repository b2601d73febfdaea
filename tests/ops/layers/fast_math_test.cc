#include "ops/kernels/layers/fast_math_f32.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nas::ops::kernels {
namespace {

// The accuracy the header promises, over the whole useful range.
TEST(FastMath, MeetsItsStatedAccuracy) {
  double exp_rel = 0, erf_abs = 0, tanh_abs = 0, tanh_rel = 0;
  for (double v = -90.0; v <= 90.0; v += 1e-3) {
    const float x = static_cast<float>(v);
    const double xd = x;
    if (x > -87.0f && x < 88.0f)
      exp_rel = std::max(exp_rel, std::abs(exp_f32(x) - std::exp(xd)) / std::exp(xd));
    erf_abs = std::max(erf_abs, std::abs(erf_f32(x) - std::erf(xd)));
    tanh_abs = std::max(tanh_abs, std::abs(tanh_f32(x) - std::tanh(xd)));
  }
  for (double v = 1e-6; v < 4.0; v *= 1.001) {
    const float x = static_cast<float>(v);
    tanh_rel =
        std::max(tanh_rel, std::abs(tanh_f32(x) - std::tanh(double(x))) / std::tanh(double(x)));
  }
  EXPECT_LT(exp_rel, 2e-7);
  EXPECT_LT(erf_abs, 5e-7);
  EXPECT_LT(tanh_abs, 4e-7);
  EXPECT_LT(tanh_rel, 4e-7);
}

TEST(FastMath, SaturatesWithoutInfOrNaN) {
  EXPECT_TRUE(std::isfinite(exp_f32(1000.0f)));
  EXPECT_GT(exp_f32(-1000.0f), 0.0f);
  EXPECT_LT(sigmoid_f32(-1000.0f), 1e-30f);
  EXPECT_EQ(sigmoid_f32(1000.0f), 1.0f);
  EXPECT_EQ(tanh_f32(50.0f), 1.0f);
  EXPECT_EQ(tanh_f32(-50.0f), -1.0f);
  EXPECT_EQ(erf_f32(-20.0f), -1.0f);
}

}  // namespace
}  // namespace nas::ops::kernels
