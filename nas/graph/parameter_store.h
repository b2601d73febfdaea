// Named parameters of a network, with their gradients. Names are stable
// ("conv1.weight"): they key saved weights and shared once-for-all tensors.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "ops/core/op.h"

namespace nas::graph {

struct Parameter {
  std::string name;
  ops::ParamKind kind = ops::ParamKind::kWeight;
  ops::Tensor value;
  ops::Tensor grad;  // same shape; written by Network::backward
};

class ParameterStore {
 public:
  // Adds a zero-initialised parameter and its gradient. REQUIRES: new name.
  Parameter& add(const std::string& name, const ops::Shape& shape, ops::ParamKind kind);
  // nullptr when absent.
  Parameter* find(const std::string& name);
  const Parameter* find(const std::string& name) const;
  // In creation order (stable: the order optimizers and files see).
  std::deque<Parameter>& all() { return params_; }
  const std::deque<Parameter>& all() const { return params_; }
  // The parameters of one kind, for separate optimizers.
  std::vector<Parameter*> of_kind(ops::ParamKind kind);
  int64_t bytes() const;

 private:
  std::deque<Parameter> params_;  // deque: references stay valid as it grows
  std::map<std::string, size_t> index_;
};

// Fills `value` per the init rule, from a generator seeded by (seed, name) so
// a parameter's initial value does not depend on the order of creation.
void init_parameter(const ops::ParamSpec& spec, const std::string& name, uint64_t seed,
                    ops::Tensor& value);

}  // namespace nas::graph
