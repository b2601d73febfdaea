// NetworkSpec: a network as a DAG of ops with their shapes and costs but no
// weights. Cheap to build (the cost model reads millions of them); a Network
// instantiates one with parameters (nas/graph/network.h).
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ops/core/op.h"
#include "ops/core/op_registry.h"
#include "ops/core/status.h"

namespace nas::graph {

// One tensor produced in the graph: output `output` of node `node`.
struct TensorRef {
  int node = -1;
  int output = 0;
  bool operator==(const TensorRef&) const = default;
};

// Where a node's parameter comes from. By default each node owns its
// parameters ("node.weight"); a binding makes a parameter a box-shaped view of
// a larger shared tensor (once-for-all: the first k channels, the centre of a
// 7x7 kernel), so one weight store serves many subnets.
struct ParamBinding {
  std::string param;                // the op's ParamSpec name, e.g. "weight"
  std::string shared;               // name of the shared tensor in the store
  ops::Shape shared_shape;          // its full shape
  std::vector<int64_t> offsets;     // per dimension, where the view starts
};

struct NodeSpec {
  std::string name;
  std::string op;  // registry name; "input" for a network input
  ops::OpAttrs attrs;
  std::vector<TensorRef> inputs;
  std::vector<ParamBinding> bindings;
  // Inferred when the node is added:
  std::vector<ops::Shape> input_shapes;
  std::vector<ops::Shape> output_shapes;
  std::vector<ops::ParamSpec> params;
  ops::OpCost cost;
  // op_signature() of this node and its hash (nas/graph/op_signature.h): the
  // key of latency tables. Empty / 0 for network inputs.
  std::string signature;
  uint64_t signature_hash = 0;
  bool is_input() const { return op == "input"; }
};

// The numbers the cost model reads for one node, packed so that estimating a
// network streams one contiguous array with no string work (the search
// estimates hundreds of thousands of networks a second). Filled by add_input /
// add_node; the consumer fields are updated as later nodes read this one.
struct NodeCostRecord {
  uint64_t signature_hash = 0;  // NodeSpec::signature_hash (0 for inputs)
  int64_t macs = 0, flops_other = 0, bytes_read = 0, bytes_written = 0;  // NodeSpec::cost
  int64_t output_elements = 0;       // sum of numel over the node's outputs
  int64_t first_input_elements = 0;  // numel of input 0 (0 for inputs)
  // Learnable scalars this node adds to param_count(): its own parameters,
  // plus a shared tensor's full size at the first node bound to it.
  int64_t params = 0;
  int32_t op_id = -1;           // index of NodeSpec::op in op_registry().names(); -1: input
  int32_t kernel = 1, groups = 1, stride = 1;  // NodeSpec::attrs
  int32_t first_input = -1;     // the node producing input 0; -1 for inputs
  int32_t consumers = 0;        // distinct nodes reading any output
  int32_t last_consumer = -1;   // the largest such node id; -1: none
  bool is_output = false;       // named by set_outputs()
};

class NetworkSpec {
 public:
  // Adds a network input of the given shape (batch first); returns its id.
  int add_input(const std::string& name, const ops::Shape& shape);
  // Adds an op node reading `inputs`, creating the op once to infer its
  // output shapes, parameters and cost. The error names the node, the op and
  // the shapes involved. REQUIRES: inputs refer to nodes already added.
  Result<int> add_node(const std::string& name, const std::string& op, const ops::OpAttrs& attrs,
                       const std::vector<TensorRef>& inputs,
                       const std::vector<ParamBinding>& bindings = {});
  // Shorthand: one input, the previous node's first output.
  Result<int> then(const std::string& name, const std::string& op, const ops::OpAttrs& attrs = {});
  void set_outputs(std::vector<TensorRef> outputs);
  // True after set_outputs() with a non-empty list (else outputs() is the last node).
  bool outputs_set() const { return !outputs_.empty(); }

  int size() const { return static_cast<int>(nodes_.size()); }
  const NodeSpec& node(int id) const { return nodes_[id]; }
  const std::vector<int>& inputs() const { return input_ids_; }
  // Defaults to the last node's first output.
  std::vector<TensorRef> outputs() const;
  const ops::Shape& shape(TensorRef t) const { return nodes_[t.node].output_shapes[t.output]; }
  // Node ids in a topological order (computed on the Boost.Graph DAG).
  std::vector<int> topological_order() const;
  // For each node, the nodes that read any of its outputs (ascending ids).
  std::vector<std::vector<int>> consumers() const;

  ops::OpCost total_cost() const;
  // Learnable scalars, counting each shared tensor once.
  int64_t param_count() const;
  // One record per node, indexed by node id (ids are a topological order:
  // a node's inputs always have smaller ids).
  const std::vector<NodeCostRecord>& cost_records() const { return records_; }

 private:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  std::vector<NodeSpec> nodes_;
  std::vector<int> input_ids_;
  std::vector<TensorRef> outputs_;
  std::vector<NodeCostRecord> records_;
  std::set<std::string> shared_seen_;  // shared tensors already counted in records_
  Graph graph_;
};

}  // namespace nas::graph
