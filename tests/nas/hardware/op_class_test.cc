#include "nas/hardware/op_class.h"

#include <gtest/gtest.h>

namespace nas::hardware {
namespace {

TEST(OpClass, EveryRegistryOpIsListed) {
  for (const std::string& op : ops::op_registry().names())
    EXPECT_TRUE(op_class_listed(op)) << op << " is missing from nas/hardware/op_class.cc";
}

TEST(OpClass, ConvAttributesRefineTheClass) {
  ops::OpAttrs a;
  a.kernel = 3;
  EXPECT_EQ(op_class("conv2d", a), OpClass::kConv);
  a.kernel = 1;
  EXPECT_EQ(op_class("conv2d", a), OpClass::kPointwise);
  a.kernel = 3;
  a.groups = -1;
  EXPECT_EQ(op_class("conv2d", a), OpClass::kDepthwise);
  a.groups = 4;
  EXPECT_EQ(op_class("conv2d", a), OpClass::kDepthwise);
  EXPECT_EQ(op_class("depthwise_conv2d", ops::OpAttrs{}), OpClass::kDepthwise);
  EXPECT_EQ(op_class("linear", ops::OpAttrs{}), OpClass::kLinear);
  EXPECT_EQ(op_class("no_such_op", ops::OpAttrs{}), OpClass::kOther);
}

TEST(OpClass, ActivationsAreElementwise) {
  for (const char* op : {"relu", "relu6", "hswish", "hsigmoid", "swish", "sigmoid", "tanh", "gelu"}) {
    EXPECT_TRUE(is_activation_op(op)) << op;
    EXPECT_EQ(op_class(op, ops::OpAttrs{}), OpClass::kElementwise) << op;
  }
  EXPECT_FALSE(is_activation_op("add"));
  EXPECT_FALSE(is_activation_op("conv2d"));
}

TEST(OpClass, NamesRoundTrip) {
  ASSERT_EQ(op_class_names().size(), static_cast<size_t>(kNumOpClasses));
  for (int c = 0; c < kNumOpClasses; ++c) {
    const auto back = op_class_from_name(op_class_name(static_cast<OpClass>(c)));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(static_cast<int>(*back), c);
  }
  EXPECT_FALSE(op_class_from_name("convolution").has_value());
}

}  // namespace
}  // namespace nas::hardware
