// Every layer op through the shared harness: finite-difference gradients,
// the cost convention and thread-count invariance, from one table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::GradCheckOptions;
using op_testing::OpTester;

struct Case {
  std::string label;
  std::string op;
  std::vector<Shape> inputs;
  OpAttrs attrs;
  bool training = true;
  double eps = 1e-2;
  int64_t label_classes = 0;  // > 0: the last input holds labels
};

OpAttrs pool_attrs(int k, int s, int p) {
  OpAttrs a;
  a.kernel = k;
  a.stride = s;
  a.padding = p;
  return a;
}

std::vector<Case> cases() {
  std::vector<Case> c;
  // Max pool: near-ties within eps are kinks, so a small eps.
  c.push_back({"max_pool_3x3_s2_p1", "max_pool", {{2, 7, 6, 3}}, pool_attrs(3, 2, 1), true, 1e-3});
  c.push_back({"max_pool_2x2_s2", "max_pool", {{1, 5, 5, 4}}, pool_attrs(2, 2, 0), true, 1e-3});
  c.push_back(
      {"max_pool_3x3_s1_same", "max_pool", {{2, 5, 4, 3}}, pool_attrs(3, 1, -1), true, 1e-3});
  c.push_back({"avg_pool_3x3_s2_p1", "avg_pool", {{2, 7, 6, 3}}, pool_attrs(3, 2, 1)});
  c.push_back({"avg_pool_3x3_s1_same", "avg_pool", {{1, 5, 4, 5}}, pool_attrs(3, 1, -1)});
  c.push_back({"global_avg_pool", "global_avg_pool", {{2, 3, 5, 4}}, {}});
  c.push_back({"batch_norm_train", "batch_norm", {{2, 5, 5, 3}}, {}, true});
  c.push_back({"batch_norm_eval", "batch_norm", {{2, 5, 5, 3}}, {}, false});
  c.push_back({"batch_norm_nc", "batch_norm", {{7, 4}}, {}, true});
  for (const char* act :
       {"relu", "relu6", "hsigmoid", "hswish", "swish", "sigmoid", "tanh", "gelu"})
    c.push_back({act, act, {{2, 3, 5, 7}}, {}});
  OpAttrs lin;
  lin.out_channels = 6;
  c.push_back({"linear_nobias", "linear", {{3, 5}}, lin});
  lin.bias = true;
  c.push_back({"linear_bias_nhwc", "linear", {{3, 1, 1, 5}}, lin});
  for (const char* op : {"add", "mul"}) {
    const std::string s = op;
    c.push_back({s + "_same", op, {{2, 3, 4, 5}, {2, 3, 4, 5}}, {}});
    c.push_back({s + "_per_image", op, {{2, 3, 4, 5}, {2, 1, 1, 5}}, {}});
    c.push_back({s + "_per_channel", op, {{2, 3, 4, 5}, {1, 1, 1, 5}}, {}});
    c.push_back({s + "_nc", op, {{4, 6}, {1, 6}}, {}});
  }
  c.push_back({"concat", "concat", {{2, 3, 3, 2}, {2, 3, 3, 3}, {2, 3, 3, 1}}, {}});
  OpAttrs split;
  split.split_sizes = {2, 3, 1};
  c.push_back({"split", "split", {{2, 3, 3, 6}}, split});
  OpAttrs shuffle;
  shuffle.shuffle_groups = 3;
  c.push_back({"channel_shuffle", "channel_shuffle", {{2, 2, 3, 6}}, shuffle});
  c.push_back({"squeeze_excitation", "squeeze_excitation", {{2, 3, 4, 8}}, {}});
  c.push_back({"squeeze_excitation_hsigmoid", "squeeze_excitation_hsigmoid", {{2, 3, 4, 8}}, {}});
  OpAttrs smooth;
  smooth.label_smoothing = 0.1f;
  c.push_back({"softmax_cross_entropy", "softmax_cross_entropy", {{5, 7}, {5}}, {}, true, 1e-2, 7});
  c.push_back({"softmax_cross_entropy_smoothed",
               "softmax_cross_entropy",
               {{5, 1, 1, 7}, {5}},
               smooth,
               true,
               1e-2,
               7});
  OpAttrs drop;
  drop.probability = 0.3f;
  c.push_back({"dropout_train", "dropout", {{2, 3, 4, 5}}, drop, true});
  c.push_back({"dropout_eval", "dropout", {{2, 3, 4, 5}}, drop, false});
  return c;
}

OpTester make_tester(const Case& c) {
  OpTester t(c.op);
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    if (c.label_classes > 0 && i + 1 == c.inputs.size()) {
      t.labels(c.inputs[i], c.label_classes);
    } else {
      t.input(c.inputs[i]);
    }
  }
  t.attrs(c.attrs).training(c.training).seed(7);
  return t;
}

class LayersConformance : public ::testing::TestWithParam<Case> {};

TEST_P(LayersConformance, GradientsMatchFiniteDifferences) {
  OpTester t = make_tester(GetParam());
  GradCheckOptions opt;
  opt.eps = GetParam().eps;
  EXPECT_TRUE(t.check_gradients(opt));
}

TEST_P(LayersConformance, CostFollowsTheIoConvention) {
  OpTester t = make_tester(GetParam());
  EXPECT_TRUE(t.check_cost_sanity());
}

TEST_P(LayersConformance, SameBitsOnAnyThreadCount) {
  OpTester t = make_tester(GetParam());
  EXPECT_TRUE(t.check_deterministic());
}

INSTANTIATE_TEST_SUITE_P(All, LayersConformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.label;
                         });

// Every name the family promises is in the registry.
TEST(LayersRegistry, RegistersEveryOp) {
  for (const char* name : {"max_pool",
                           "avg_pool",
                           "global_avg_pool",
                           "batch_norm",
                           "relu",
                           "relu6",
                           "hsigmoid",
                           "hswish",
                           "swish",
                           "sigmoid",
                           "tanh",
                           "gelu",
                           "linear",
                           "add",
                           "mul",
                           "concat",
                           "split",
                           "channel_shuffle",
                           "squeeze_excitation",
                           "squeeze_excitation_hsigmoid",
                           "softmax_cross_entropy",
                           "dropout"})
    EXPECT_NE(op_registry().find(name), nullptr) << name;
}

}  // namespace
}  // namespace nas::ops
