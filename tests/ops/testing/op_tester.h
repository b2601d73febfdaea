// OpTester: the shared conformance harness for ops (any family). It creates an
// op through a registry for given input shapes and attributes, fills inputs and
// params with seeded random values, and checks
//   - forward against a caller's reference (computed in double),
//   - backward against central finite differences of a random projection
//     L = sum_j r_j * y_j of all outputs (L accumulated in double from the
//     float forward), plus: every gradient is overwritten (buffers are
//     pre-filled with NaN), and undefined gradient tensors are skipped without
//     changing the others,
//   - cost() against the io convention (bytes = 4 * numel of inputs + params
//     read, outputs written; params = sum of ParamSpec sizes),
//   - bit-identical results on different thread counts.
//
//   EXPECT_TRUE(OpTester("batch_norm").input({2, 5, 5, 3}).check_gradients());
//
// Checks return ::testing::AssertionResult, so failures print what differed.
// Not thread-safe; one tester per test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"
#include "ops/core/status.h"

namespace nas::ops::op_testing {

struct GradCheckOptions {
  double eps = 1e-2;  // finite-difference step for inputs and params (values ~ N(0,1))
  // |numeric - analytic| <= atol + rtol * max(|numeric|, |analytic|) + noise,
  // where noise = forward_rel_error * sum_j |r_j y_j| / eps bounds the float
  // rounding of the forward.
  double rtol = 1e-2;
  double atol = 1e-3;
  double forward_rel_error = 2e-7;
  // Elements where the one-sided differences disagree by more than the error
  // (a kink of relu / max within eps) are skipped; at most this fraction.
  double max_kink_fraction = 0.1;
  // Larger tensors are checked on this many seeded random elements.
  int64_t max_elements_per_tensor = 256;
};

// Reference forward: each output as doubles, row-major, from the op's inputs
// and params (as filled by the tester).
using ReferenceFn = std::function<std::vector<std::vector<double>>(
    const std::vector<Tensor>& inputs, const std::vector<Tensor>& params)>;

class OpTester {
 public:
  // registry: where the op is looked up; default op_registry(). It must
  // outlive the tester.
  explicit OpTester(std::string op_name, const OpRegistry* registry = nullptr);

  // Adds an input with N(0, 1) values (differentiable).
  OpTester& input(const Shape& shape);
  // Adds an input of integer class ids in [0, classes), stored as floats
  // (not differentiable: its gradient tensor is left undefined).
  OpTester& labels(const Shape& shape, int64_t classes);
  // Adds an input with given values. REQUIRES: values.size() == numel.
  OpTester& input_values(const Shape& shape, std::vector<float> values, bool differentiable = true);
  OpTester& attrs(const OpAttrs& attrs);
  OpTester& training(bool on);
  // Seeds the data and is passed as OpContext::seed.
  OpTester& seed(uint64_t seed);
  // Scales the random N(0,1) params (e.g. to keep a gate out of saturation).
  OpTester& param_scale(float scale);

  // Creates the op (once); the creation error, if any.
  Status create();
  // REQUIRES: create() succeeds (checked).
  Op& op();
  std::vector<Tensor>& inputs();
  std::vector<Tensor>& params();
  const OpContext& context() const { return ctx_; }
  // Runs forward on the current inputs and params; returns the outputs.
  const std::vector<Tensor>& forward();

  ::testing::AssertionResult check_forward(const ReferenceFn& reference, double atol = 1e-5,
                                           double rtol = 1e-4);
  ::testing::AssertionResult check_gradients(const GradCheckOptions& options = {});
  ::testing::AssertionResult check_cost_sanity();
  ::testing::AssertionResult check_deterministic(std::initializer_list<int> thread_counts = {1, 2,
                                                                                             3});
  // check_cost_sanity, check_deterministic and check_gradients in one call
  // (what a family's conformance table runs per op).
  ::testing::AssertionResult check_conformance(const GradCheckOptions& options = {});

 private:
  struct InputSpec {
    Shape shape;
    enum class Kind { kNormal, kLabels, kValues } kind = Kind::kNormal;
    int64_t classes = 0;
    std::vector<float> values;
    bool differentiable = true;
  };
  ::testing::AssertionResult created();
  // The projection L = sum r*y of the current outputs, in double.
  double projected_loss(const std::vector<Tensor>& projection);
  // Forward then backward with these grads (undefined = skipped).
  void forward_backward(const std::vector<Tensor>& output_grads, std::vector<Tensor>& input_grads,
                        std::vector<Tensor>& param_grads);
  // Fresh NaN-filled gradient tensors: for differentiable inputs / all params.
  std::vector<Tensor> new_input_grads();
  std::vector<Tensor> new_param_grads();

  std::string name_;
  const OpRegistry* registry_;
  std::vector<InputSpec> specs_;
  OpAttrs attrs_;
  OpContext ctx_;
  uint64_t seed_ = 1;
  float param_scale_ = 1.0f;
  std::unique_ptr<Op> op_;
  Status create_status_;
  std::vector<Tensor> inputs_, params_, outputs_;
};

// Helpers for references: a tensor's values as doubles; index of [a,b,c,d]
// in a row-major rank-4 shape.
std::vector<double> to_double(const Tensor& t);
inline int64_t index4(const Shape& s, int64_t a, int64_t b, int64_t c, int64_t d) {
  return ((a * s[1] + b) * s[2] + c) * s[3] + d;
}

}  // namespace nas::ops::op_testing
