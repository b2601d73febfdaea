// Op: the unit the network executor runs. An op is created for fixed input
// shapes (checked once, at creation, so forward/backward have no error paths)
// and reports its output shapes, its parameters and its cost.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ops/core/cost.h"
#include "ops/core/shape.h"
#include "ops/core/tensor.h"

namespace nas::ops {

enum class Init { kZeros, kOnes, kKaimingNormal, kKaimingUniform, kXavierUniform };

// Network weights are trained on the training split; architecture parameters
// (DARTS's alphas) by their own optimizer on the validation split.
enum class ParamKind { kWeight, kArchitecture };

// A learnable tensor an op needs; the executor owns the storage.
struct ParamSpec {
  std::string name;  // stable within the op: "weight", "bias", "gamma", ...
  Shape shape;
  Init init = Init::kZeros;
  int64_t fan_in = 1;   // for Kaiming / Xavier
  int64_t fan_out = 1;
  ParamKind kind = ParamKind::kWeight;
};

// Per-call context.
struct OpContext {
  bool training = true;
  uint64_t seed = 0;  // for stochastic ops (dropout); the executor varies it per step
};

class Op {
 public:
  Op() = default;
  virtual ~Op() = default;
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;

  // Registry name, e.g. "conv2d".
  virtual const char* name() const = 0;
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  const std::vector<Shape>& output_shapes() const { return output_shapes_; }
  const std::vector<ParamSpec>& param_specs() const { return param_specs_; }
  virtual OpCost cost() const = 0;

  // Non-learnable state that belongs with the weights (BatchNorm's running
  // statistics), as writable views so callers can save and restore it.
  struct StateTensor {
    std::string name;  // stable within the op: "running_mean"
    Tensor tensor;
  };
  virtual std::vector<StateTensor> state_tensors() const { return {}; }

  // Computes outputs from inputs and params. Ops may keep what backward needs
  // (masks, batch statistics) in their own state. REQUIRES: tensors of the
  // creation shapes; outputs preallocated.
  virtual void forward(const OpContext& ctx, std::span<const Tensor> inputs,
                       std::span<const Tensor> params, std::span<Tensor> outputs) = 0;

  // Given d(loss)/d(outputs), OVERWRITES d(loss)/d(inputs) and d(loss)/d(params).
  // An undefined (empty) tensor in input_grads or param_grads means "not
  // needed": skip it. REQUIRES: forward was called last with these tensors.
  virtual void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                        std::span<const Tensor> params, std::span<const Tensor> outputs,
                        std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                        std::span<Tensor> param_grads) = 0;

 protected:
  std::vector<Shape> input_shapes_;
  std::vector<Shape> output_shapes_;
  std::vector<ParamSpec> param_specs_;
};

}  // namespace nas::ops
