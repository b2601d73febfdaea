#include "ops/core/op_registry.h"

namespace nas::ops {

// Each op family defines its registration function next to its ops.
// The one explicit list of families (no static-initialiser tricks):
#define NAS_OP_FAMILIES(X) X(supernet) \
  X(conv) \
  X(layers) \
  X(seq) \
  X(shape)

#define NAS_DECLARE_FAMILY(f) void register_##f##_ops(OpRegistry& registry);
NAS_OP_FAMILIES(NAS_DECLARE_FAMILY)
#undef NAS_DECLARE_FAMILY

void OpRegistry::add(OpInfo info) {
  NAS_CHECK(ops_.find(info.name) == ops_.end());
  std::string key = info.name;
  ops_.emplace(std::move(key), std::move(info));
}

const OpInfo* OpRegistry::find(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : ops_) out.push_back(name);
  return out;
}

Result<std::unique_ptr<Op>> OpRegistry::create(const std::string& name, const OpAttrs& attrs,
                                               std::span<const Shape> inputs) const {
  const OpInfo* info = find(name);
  if (info == nullptr) {
    std::string valid;
    for (const auto& [n, i] : ops_) valid += (valid.empty() ? "" : ", ") + n;
    return Status::error("unknown op '" + name + "' (valid: " + valid + ")");
  }
  return info->create(attrs, inputs);
}

const OpRegistry& op_registry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
#define NAS_REGISTER_FAMILY(f) register_##f##_ops(r);
    NAS_OP_FAMILIES(NAS_REGISTER_FAMILY)
#undef NAS_REGISTER_FAMILY
    return r;
  }();
  return registry;
}

}  // namespace nas::ops
