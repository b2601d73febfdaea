#include "nas/train/optim/param_group.h"

#include <set>

namespace nas::train {

Status ParamGroup::validate() const {
  std::set<std::string> seen;
  for (const Parameter& p : params) {
    const std::string what = "failed to use parameter " + p.name + " of group " + name + ": ";
    if (!p.value.defined() || !p.grad.defined())
      return Status::error(what + "value and gradient must both be defined");
    if (!(p.value.shape() == p.grad.shape()))
      return Status::error(what + "gradient shape " + p.grad.shape().str() +
                           " differs from value shape " + p.value.shape().str());
    if (!seen.insert(p.name).second) return Status::error(what + "the name is used twice");
  }
  return Status::ok();
}

int64_t ParamGroup::numel() const {
  int64_t n = 0;
  for (const Parameter& p : params) n += p.value.numel();
  return n;
}

}  // namespace nas::train
