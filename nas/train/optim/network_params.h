// ParamGroups over a network's ParameterStore: network weights for one
// optimizer, architecture parameters (DARTS alphas) for another.
#pragma once

#include <string>

#include "nas/graph/parameter_store.h"
#include "nas/train/optim/param_group.h"

namespace nas::train {

struct NetworkParamsOptions {
  // Weight decay on rank <= 1 tensors (biases, batch-norm gamma/beta) too;
  // false follows the common practice of decaying only weight matrices and
  // kernels.
  bool decay_vectors = false;
};

// Views of every parameter of `kind` in the store's creation order (so the
// update order, and with it the result, is fixed). The store must outlive
// the group and the optimizer built on it.
ParamGroup params_of_kind(graph::ParameterStore& store, ops::ParamKind kind, std::string name,
                          const NetworkParamsOptions& options = {});

}  // namespace nas::train
