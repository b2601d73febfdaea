// Test helpers for the sequence ops: run an op from the registry on random
// data and compare its forward with a double-precision reference, and its
// backward with central finite differences of that reference.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ops/core/op_registry.h"

namespace nas::ops::testing {

using Vec = std::vector<double>;
// Reference forward in double: (inputs, params) -> the single output.
using RefFn = std::function<Vec(const std::vector<Vec>& inputs, const std::vector<Vec>& params)>;

struct CheckOptions {
  double forward_tol = 1e-4;   // max |op - ref| / (1 + max |ref|)
  double grad_tol = 2e-3;      // max |op - fd| / (1e-3 + max |fd| of that tensor)
  int probes = 24;             // coordinates checked per tensor (all when fewer)
  std::vector<bool> input_differentiable;  // default: all
  // Fills input i (default: uniform [-1, 1]).
  std::function<void(int input, std::vector<float>& data)> fill_input;
  uint64_t seed = 1;
};

// Creates `name` for `inputs`, checks forward and backward against ref.
// Reports failures through gtest (EXPECT); returns the op for more checks.
void check_op(const std::string& name, const OpAttrs& attrs, const std::vector<Shape>& inputs,
              const RefFn& ref, const CheckOptions& opt = {});

// Deterministic uniform [lo, hi) values.
std::vector<float> random_floats(int64_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

}  // namespace nas::ops::testing
