// ArchEmitter: appends named op nodes to a config::Architecture while a
// space decodes a genotype (shared by the macro and sequence kinds).
#pragma once

#include <string>
#include <vector>

#include "nas/config/architecture.h"

namespace nas::space {

class ArchEmitter {
 public:
  // Keeps a reference to `arch`; nodes are appended to arch.nodes.
  explicit ArchEmitter(config::Architecture& arch) : arch_(arch) {}
  // Adds node `name` (unique: the caller builds names from stage/layer
  // indices) reading `inputs` ("input", node names, "node:k"); returns name.
  std::string add(const std::string& name, const std::string& op, const ops::OpAttrs& attrs,
                  const std::vector<std::string>& inputs) {
    config::ArchitectureNode n;
    n.name.value = name;
    n.op.value = op;
    n.attrs = attrs;
    for (const std::string& i : inputs) n.inputs.push_back(config::Located<std::string>{i, {}});
    arch_.nodes.push_back(std::move(n));
    return name;
  }

 private:
  config::Architecture& arch_;
};

}  // namespace nas::space
