// An architecture file (docs/architecture.md): one concrete network as a
// list of named op nodes. `nas train` reads it; `nas extract` writes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/config/located.h"
#include "ops/core/op_registry.h"

namespace nas::config {

struct ArchitectureNode {
  Located<std::string> name;  // unique; not "input"
  Located<std::string> op;    // an op registry name
  ops::OpAttrs attrs;         // the op's settings (keys as in OpAttrs)
  // Tensors read: "input", a node name, or "node:k" for output k of a node.
  // Empty in the file means the previous node (or the input for the first).
  std::vector<Located<std::string>> inputs;
  Location where;
};

struct Architecture {
  std::string source;                  // the file as given
  Located<std::string> name;
  int64_t height = 0, width = 0, channels = 0;  // one input sample, HWC
  std::vector<ArchitectureNode> nodes;  // at least one; inputs refer to earlier nodes
  Located<std::string> output;          // the node whose output 0 is the logits; default: last
};

// Reads and checks an architecture file: keys, types, ranges, op names
// (against `op_names`), node references. Every problem goes to `diagnostics`
// as file:line:col; nullopt when there was any. Never throws.
std::optional<Architecture> load_architecture(const std::string& path,
                                              const std::vector<std::string>& op_names,
                                              Diagnostics& diagnostics);

}  // namespace nas::config
