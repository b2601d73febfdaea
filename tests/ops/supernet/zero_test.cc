#include <gtest/gtest.h>

#include <vector>

#include "ops/core/op_registry.h"

namespace nas::ops {
namespace {

// Reference: x[:, ::s, ::s, :] * 0 (DARTS Zero), for even and odd sizes.
TEST(Zero, OutputsZerosOfTheStridedShapeAndZeroGradients) {
  for (int stride : {1, 2}) {
    const Shape s{2, 7, 6, 3};
    std::vector<Shape> shapes{s};
    OpAttrs a;
    a.stride = stride;
    auto op = op_registry().create("zero", a, shapes).take();
    const Shape want = stride == 1 ? s : Shape{2, 4, 3, 3};
    ASSERT_EQ(op->output_shapes()[0], want);
    EXPECT_EQ(op->cost().macs, 0);
    EXPECT_EQ(op->cost().params, 0);
    Tensor x = Tensor::empty(s);
    for (int64_t j = 0; j < s.numel(); ++j) x.data()[j] = 1.0f + j;
    std::vector<Tensor> out{Tensor::empty(want)};
    for (int64_t j = 0; j < want.numel(); ++j) out[0].data()[j] = 5.0f;  // must be overwritten
    op->forward({}, std::vector<Tensor>{x}, {}, out);
    for (int64_t j = 0; j < want.numel(); ++j) ASSERT_EQ(out[0].data()[j], 0.0f);
    std::vector<Tensor> dx{Tensor::empty(s)};
    for (int64_t j = 0; j < s.numel(); ++j) dx[0].data()[j] = 3.0f;
    op->backward({}, std::vector<Tensor>{x}, {}, out, out, dx, {});
    for (int64_t j = 0; j < s.numel(); ++j) ASSERT_EQ(dx[0].data()[j], 0.0f);
  }
}

TEST(Zero, RejectsWrongRankAndStride) {
  std::vector<Shape> flat{Shape{2, 3}};
  EXPECT_FALSE(op_registry().create("zero", {}, flat).is_ok());
  std::vector<Shape> s{Shape{1, 4, 4, 2}};
  OpAttrs a;
  a.stride = 0;
  EXPECT_FALSE(op_registry().create("zero", a, s).is_ok());
}

}  // namespace
}  // namespace nas::ops
