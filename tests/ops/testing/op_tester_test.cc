// The harness must fail on broken ops: a check that cannot fail proves nothing.
#include "tests/ops/testing/op_tester.h"

#include <gtest/gtest.h>

#include "ops/core/op_registry.h"

namespace nas::ops::op_testing {
namespace {

enum class Bug { kNone, kWrongScale, kAccumulates, kSkipChangesOthers, kWrongBytes };

// y = w * x (w a scalar param) with an optional deliberate bug.
class ScaleOp final : public Op {
 public:
  ScaleOp(Bug bug, const Shape& s) : bug_(bug) {
    input_shapes_ = {s};
    output_shapes_ = {s};
    param_specs_ = {ParamSpec{"w", Shape{1}}};
  }
  const char* name() const override { return "scale"; }
  OpCost cost() const override {
    OpCost c;
    c.params = 1;
    c.bytes_read = 4 * (input_shapes_[0].numel() + 1);
    c.bytes_written = 4 * input_shapes_[0].numel() + (bug_ == Bug::kWrongBytes ? 4 : 0);
    return c;
  }
  void forward(const OpContext&, std::span<const Tensor> in, std::span<const Tensor> p,
               std::span<Tensor> out) override {
    for (int64_t i = 0; i < in[0].numel(); ++i) out[0].data()[i] = p[0].data()[0] * in[0].data()[i];
  }
  void backward(const OpContext&, std::span<const Tensor> in, std::span<const Tensor> p,
                std::span<const Tensor>, std::span<const Tensor> dy, std::span<Tensor> dx,
                std::span<Tensor> dp) override {
    const float w = p[0].data()[0] * (bug_ == Bug::kWrongScale ? 1.05f : 1.0f);
    if (dx[0].defined())
      for (int64_t i = 0; i < dy[0].numel(); ++i) {
        const float g = w * dy[0].data()[i];
        dx[0].data()[i] = bug_ == Bug::kAccumulates ? dx[0].data()[i] + g : g;
      }
    if (dp[0].defined()) {
      double s = 0;
      for (int64_t i = 0; i < dy[0].numel(); ++i) s += dy[0].data()[i] * in[0].data()[i];
      if (bug_ == Bug::kSkipChangesOthers && !dx[0].defined()) s *= 2;
      dp[0].data()[0] = static_cast<float>(s);
    }
  }

 private:
  Bug bug_;
};

OpRegistry make_registry() {
  OpRegistry r;
  auto add = [&](const char* name, Bug bug) {
    r.add({name, "test op",
           [bug](const OpAttrs&, std::span<const Shape> in) -> Result<std::unique_ptr<Op>> {
             return std::unique_ptr<Op>(std::make_unique<ScaleOp>(bug, in[0]));
           }});
  };
  add("scale", Bug::kNone);
  add("scale_wrong", Bug::kWrongScale);
  add("scale_accumulates", Bug::kAccumulates);
  add("scale_skip", Bug::kSkipChangesOthers);
  add("scale_bytes", Bug::kWrongBytes);
  return r;
}

TEST(OpTester, PassesACorrectOp) {
  const OpRegistry r = make_registry();
  OpTester t("scale", &r);
  t.input({2, 3, 4, 5});
  EXPECT_TRUE(t.check_gradients());
  EXPECT_TRUE(t.check_cost_sanity());
  EXPECT_TRUE(t.check_deterministic());
  EXPECT_TRUE(t.check_conformance());
  EXPECT_TRUE(t.check_forward([](const std::vector<Tensor>& in, const std::vector<Tensor>& p) {
    std::vector<double> y = to_double(in[0]);
    for (double& v : y) v *= p[0].data()[0];
    return std::vector<std::vector<double>>{y};
  }));
}

TEST(OpTester, CatchesAFivePercentGradientError) {
  const OpRegistry r = make_registry();
  EXPECT_FALSE(OpTester("scale_wrong", &r).input({2, 3, 4, 5}).check_gradients());
}

TEST(OpTester, CatchesAccumulatingBackward) {
  const OpRegistry r = make_registry();
  EXPECT_FALSE(OpTester("scale_accumulates", &r).input({3, 4}).check_gradients());
}

TEST(OpTester, CatchesGradientsThatDependOnSkipping) {
  const OpRegistry r = make_registry();
  EXPECT_FALSE(OpTester("scale_skip", &r).input({3, 4}).check_gradients());
}

TEST(OpTester, CatchesWrongCostAndWrongReference) {
  const OpRegistry r = make_registry();
  EXPECT_FALSE(OpTester("scale_bytes", &r).input({3, 4}).check_cost_sanity());
  EXPECT_FALSE(OpTester("scale_bytes", &r).input({3, 4}).check_conformance());
  OpTester t("scale", &r);
  t.input({3, 4});
  EXPECT_FALSE(t.check_forward([](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
    return std::vector<std::vector<double>>{to_double(in[0])};  // forgets w
  }));
}

TEST(OpTester, ReportsCreationErrors) {
  const OpRegistry r = make_registry();
  OpTester t("no_such_op", &r);
  t.input({1});
  EXPECT_FALSE(t.create().is_ok());
  EXPECT_FALSE(t.check_gradients());
}

}  // namespace
}  // namespace nas::ops::op_testing
