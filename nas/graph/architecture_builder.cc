#include "nas/graph/architecture_builder.h"

#include <map>

namespace nas::graph {

Result<NetworkSpec> build_network_spec(const config::Architecture& arch, int64_t batch) {
  NetworkSpec spec;
  std::map<std::string, int> ids;
  ids["input"] = spec.add_input("input", {batch, arch.height, arch.width, arch.channels});
  int previous = ids["input"];
  for (const config::ArchitectureNode& node : arch.nodes) {
    std::vector<TensorRef> inputs;
    for (const auto& ref : node.inputs) {
      const std::string& text = ref.value;
      const size_t colon = text.find(':');
      TensorRef t{ids.at(text.substr(0, colon)), 0};
      if (colon != std::string::npos) t.output = std::stoi(text.substr(colon + 1));
      if (t.output < 0 || t.output >= static_cast<int>(spec.node(t.node).output_shapes.size())) {
        config::Diagnostic d{ref.where, "node '" + node.name.value + "': '" + text + "' has no such output"};
        return Status::error(d.str());
      }
      inputs.push_back(t);
    }
    if (inputs.empty()) inputs.push_back({previous, 0});
    auto id = spec.add_node(node.name.value, node.op.value, node.attrs, inputs);
    if (!id) return Status::error(config::Diagnostic{node.where, id.status().message()}.str());
    ids[node.name.value] = previous = id.value();
  }
  spec.set_outputs({TensorRef{ids.at(arch.output.value), 0}});
  return spec;
}

}  // namespace nas::graph
