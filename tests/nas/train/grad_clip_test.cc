#include "nas/train/optim/grad_clip.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nas::train {
namespace {

ParamGroup two_params(float a, float b) {
  ParamGroup g{"w",
               {{"a", ops::Tensor::zeros({1}), ops::Tensor::empty({1})},
                {"b", ops::Tensor::zeros({1, 1}), ops::Tensor::empty({1, 1})}}};
  g.params[0].grad.fill(a);
  g.params[1].grad.fill(b);
  return g;
}

TEST(GradClip, ScalesToMaxNormAcrossParameters) {
  const ParamGroup g = two_params(3.0f, 4.0f);
  EXPECT_DOUBLE_EQ(global_grad_norm(g), 5.0);
  EXPECT_DOUBLE_EQ(clip_grad_norm(g, 1.0), 5.0);  // returns the norm before clipping
  EXPECT_NEAR(g.params[0].grad.data()[0], 0.6f, 1e-6);
  EXPECT_NEAR(g.params[1].grad.data()[0], 0.8f, 1e-6);
  EXPECT_NEAR(global_grad_norm(g), 1.0, 1e-6);
}

TEST(GradClip, LeavesSmallGradientsAlone) {
  const ParamGroup g = two_params(0.3f, 0.4f);
  EXPECT_NEAR(clip_grad_norm(g, 1.0), 0.5, 1e-7);
  EXPECT_EQ(g.params[0].grad.data()[0], 0.3f);
  EXPECT_EQ(g.params[1].grad.data()[0], 0.4f);
}

TEST(GradClip, NonFiniteNormIsReportedNotApplied) {
  const ParamGroup g = two_params(NAN, 4.0f);
  EXPECT_TRUE(std::isnan(clip_grad_norm(g, 1.0)));
  EXPECT_EQ(g.params[1].grad.data()[0], 4.0f);
}

TEST(GradClip, LongVectorNorm) {
  ParamGroup g{"w", {{"v", ops::Tensor::zeros({1003}), ops::Tensor::empty({1003})}}};
  g.params[0].grad.fill(2.0f);
  EXPECT_NEAR(global_grad_norm(g), 2.0 * std::sqrt(1003.0), 1e-9);
}

}  // namespace
}  // namespace nas::train
