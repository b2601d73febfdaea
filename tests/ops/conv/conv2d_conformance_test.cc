// The op conformance harness (tests/ops/testing) over "conv2d" and
// "depthwise_conv2d", once per pinned algorithm: forward against the double
// reference, finite-difference gradients, cost conventions, and identical
// bits on 1, 2 and 3 threads.
#include <gtest/gtest.h>

#include <vector>

#include "ops/conv/conv2d.h"
#include "ops/conv/conv2d_op.h"
#include "ops/conv/conv_autotune.h"
#include "tests/ops/conv/conv_reference.h"
#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

struct OpCase {
  const char* op;
  Shape input;
  int out_channels, kernel, stride, padding, dilation, groups;
  bool bias;
};

const OpCase kCases[] = {
    {"conv2d", {2, 6, 5, 4}, 6, 3, 1, -1, 1, 1, true},
    {"conv2d", {1, 7, 7, 6}, 4, 3, 2, 1, 1, 2, false},
    {"conv2d", {2, 5, 5, 3}, 5, 1, 1, 0, 1, 1, true},
    {"conv2d", {1, 8, 8, 4}, 4, 3, 1, 2, 2, 1, false},
    {"depthwise_conv2d", {2, 6, 6, 8}, 0, 3, 1, -1, 1, 1, true},
    {"depthwise_conv2d", {1, 9, 9, 5}, 0, 5, 2, -1, 1, 1, false},
};

// The reference as the harness wants it: from the op's own params.
op_testing::ReferenceFn reference(const ConvParams& p) {
  return [p](const std::vector<Tensor>& in, const std::vector<Tensor>& params) {
    auto vec = [](const Tensor& t) { return std::vector<float>(t.data(), t.data() + t.numel()); };
    const auto r = testing::ref_conv_forward(p, vec(in[0]), vec(params[0]),
                                             p.bias ? vec(params[1]) : std::vector<float>{});
    return std::vector<std::vector<double>>{r.value};
  };
}

TEST(Conv2dConformance, EveryAlgorithmThroughTheOp) {
  set_conv_autotune_path("");
  for (ConvAlgo algo : kAllConvAlgos) {
    set_conv_algo_pin(algo);
    for (const OpCase& c : kCases) {
      OpAttrs a;
      a.out_channels = c.out_channels;
      a.kernel = c.kernel;
      a.stride = c.stride;
      a.padding = c.padding;
      a.dilation = c.dilation;
      a.groups = c.groups;
      a.bias = c.bias;
      OpTester t(c.op);
      t.input(c.input).attrs(a);
      ASSERT_TRUE(t.create().is_ok()) << t.create().message();
      const ConvParams& p = static_cast<Conv2d&>(t.op()).params();
      SCOPED_TRACE(std::string(c.op) + " " + c.input.str() + " algo " + conv_algo_name(algo));
      EXPECT_TRUE(t.check_forward(reference(p), 1e-5, 1e-4));
      EXPECT_TRUE(t.check_conformance());
    }
  }
  set_conv_algo_pin(ConvAlgo::kAuto);
}

}  // namespace
}  // namespace nas::ops
