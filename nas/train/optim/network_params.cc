#include "nas/train/optim/network_params.h"

namespace nas::train {

ParamGroup params_of_kind(graph::ParameterStore& store, ops::ParamKind kind, std::string name,
                          const NetworkParamsOptions& options) {
  ParamGroup g;
  g.name = std::move(name);
  for (graph::Parameter& p : store.all()) {
    if (p.kind != kind) continue;
    g.params.push_back({p.name, p.value, p.grad, options.decay_vectors || p.value.rank() > 1});
  }
  return g;
}

}  // namespace nas::train
