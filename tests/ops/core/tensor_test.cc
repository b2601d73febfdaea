#include "ops/core/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace nas::ops {
namespace {

TEST(Tensor, AlignedZerosAndViews) {
  Tensor t = Tensor::zeros({2, 3, 4, 5});
  EXPECT_EQ(t.numel(), 120);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  for (int64_t i = 0; i < t.numel(); ++i) ASSERT_EQ(t.data()[i], 0.0f);
  Tensor v = t.slice0(1, 1);
  EXPECT_EQ(v.data(), t.data() + 60);
  EXPECT_EQ(v.shape(), Shape({1, 3, 4, 5}));
  Tensor r = t.reshaped({6, 20});
  EXPECT_EQ(r.data(), t.data());
  Tensor c = t.clone();
  EXPECT_NE(c.data(), t.data());
  EXPECT_EQ(Shape({1, 2}).str(), "[1,2]");
}

}  // namespace
}  // namespace nas::ops
