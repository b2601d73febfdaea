#include "nas/train/loss_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nas::train {
namespace {

TEST(LossCheck, FiniteLossIsOkNanAndInfFail) {
  EXPECT_TRUE(check_loss_finite(2.3f, 0));
  Status s = check_loss_finite(NAN, 12);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.message(), "failed to train at step 12: loss is nan");
  s = check_loss_finite(-std::numeric_limits<float>::infinity(), 3);
  EXPECT_EQ(s.message(), "failed to train at step 3: loss is -inf");
}

TEST(LossCheck, TensorCheckFindsTheFirstBadElement) {
  ops::Tensor t = ops::Tensor::zeros({3000});
  EXPECT_EQ(first_non_finite(t), -1);
  EXPECT_TRUE(check_tensor_finite(t, "gradient of w", 1));
  t.data()[2500] = std::numeric_limits<float>::infinity();
  t.data()[2999] = NAN;
  EXPECT_EQ(first_non_finite(t), 2500);
  const Status s = check_tensor_finite(t, "gradient of w", 7);
  EXPECT_EQ(s.message(),
            "failed to train at step 7: gradient of w has a non-finite value (inf at index 2500)");
  t.data()[2500] = std::numeric_limits<float>::max();  // large but finite
  EXPECT_EQ(first_non_finite(t), 2999);
}

}  // namespace
}  // namespace nas::train
