#include "nas/graph/network_spec.h"

#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>
#include <set>

#include "nas/graph/op_signature.h"

namespace nas::graph {
namespace {

int64_t total_numel(const std::vector<ops::Shape>& shapes) {
  int64_t n = 0;
  for (const ops::Shape& s : shapes) n += s.numel();
  return n;
}

// The registry's names, sorted (a std::map's order), resolved once.
int32_t op_id_of(const std::string& op) {
  static const std::vector<std::string> names = ops::op_registry().names();
  auto it = std::lower_bound(names.begin(), names.end(), op);
  NAS_CHECK(it != names.end() && *it == op);
  return static_cast<int32_t>(it - names.begin());
}

}  // namespace

int NetworkSpec::add_input(const std::string& name, const ops::Shape& shape) {
  NodeSpec n;
  n.name = name;
  n.op = "input";
  n.output_shapes = {shape};
  n.cost.bytes_written = shape.numel() * static_cast<int64_t>(sizeof(float));
  NodeCostRecord r;
  r.bytes_written = n.cost.bytes_written;
  r.output_elements = shape.numel();
  records_.push_back(r);
  nodes_.push_back(std::move(n));
  boost::add_vertex(graph_);
  input_ids_.push_back(size() - 1);
  return size() - 1;
}

Result<int> NetworkSpec::add_node(const std::string& name, const std::string& op,
                                  const ops::OpAttrs& attrs, const std::vector<TensorRef>& inputs,
                                  const std::vector<ParamBinding>& bindings) {
  NodeSpec n;
  n.name = name;
  n.op = op;
  n.attrs = attrs;
  n.inputs = inputs;
  n.bindings = bindings;
  for (const TensorRef& t : inputs) {
    NAS_CHECK(t.node >= 0 && t.node < size());
    NAS_CHECK(t.output >= 0 && t.output < static_cast<int>(nodes_[t.node].output_shapes.size()));
    n.input_shapes.push_back(shape(t));
  }
  auto created = ops::op_registry().create(op, attrs, n.input_shapes);
  if (!created) {
    std::string shapes;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i) shapes += ", ";
      shapes += nodes_[inputs[i].node].name + " " + n.input_shapes[i].str();
    }
    return Status::error("failed to add node '" + name + "' (" + op + ") with inputs " + shapes +
                         ": " + created.status().message());
  }
  const ops::Op& o = *created.value();
  n.output_shapes = o.output_shapes();
  n.params = o.param_specs();
  n.cost = o.cost();
  n.signature = op_signature(op, attrs, n.input_shapes);
  n.signature_hash = signature_hash(n.signature);
  for (const ParamBinding& b : bindings) {
    auto it = std::find_if(n.params.begin(), n.params.end(),
                           [&](const ops::ParamSpec& p) { return p.name == b.param; });
    if (it == n.params.end())
      return Status::error("failed to add node '" + name + "': op " + op + " has no parameter '" +
                           b.param + "' to bind");
    bool fits = static_cast<int>(b.offsets.size()) == it->shape.rank() &&
                b.shared_shape.rank() == it->shape.rank();
    for (int d = 0; fits && d < it->shape.rank(); ++d)
      fits = b.offsets[d] >= 0 && b.offsets[d] + it->shape[d] <= b.shared_shape[d];
    if (!fits)
      return Status::error("failed to add node '" + name + "': parameter '" + b.param + "' " +
                           it->shape.str() + " does not fit in shared tensor '" + b.shared + "' " +
                           b.shared_shape.str() + " at the given offsets");
  }
  NodeCostRecord r;
  r.signature_hash = n.signature_hash;
  r.macs = n.cost.macs;
  r.flops_other = n.cost.flops_other;
  r.bytes_read = n.cost.bytes_read;
  r.bytes_written = n.cost.bytes_written;
  r.output_elements = total_numel(n.output_shapes);
  r.first_input_elements = n.input_shapes.empty() ? 0 : n.input_shapes[0].numel();
  for (const ops::ParamSpec& p : n.params) {
    auto b = std::find_if(bindings.begin(), bindings.end(),
                          [&](const ParamBinding& x) { return x.param == p.name; });
    if (b == bindings.end()) r.params += p.shape.numel();
    else if (shared_seen_.insert(b->shared).second) r.params += b->shared_shape.numel();
  }
  r.op_id = op_id_of(op);
  r.kernel = attrs.kernel;
  r.groups = attrs.groups;
  r.stride = attrs.stride;
  r.first_input = inputs.empty() ? -1 : inputs[0].node;
  nodes_.push_back(std::move(n));
  const int id = size() - 1;
  boost::add_vertex(graph_);
  for (const TensorRef& t : inputs) {
    boost::add_edge(t.node, id, graph_);
    NodeCostRecord& producer = records_[t.node];
    if (producer.last_consumer != id) {  // a node reading one tensor twice counts once
      ++producer.consumers;
      producer.last_consumer = id;
    }
  }
  records_.push_back(r);
  return id;
}

Result<int> NetworkSpec::then(const std::string& name, const std::string& op,
                              const ops::OpAttrs& attrs) {
  NAS_CHECK(size() > 0);
  return add_node(name, op, attrs, {TensorRef{size() - 1, 0}});
}

void NetworkSpec::set_outputs(std::vector<TensorRef> outputs) {
  for (NodeCostRecord& r : records_) r.is_output = false;
  for (const TensorRef& t : outputs) {
    NAS_CHECK(t.node >= 0 && t.node < size());
    records_[t.node].is_output = true;
  }
  outputs_ = std::move(outputs);
}

std::vector<TensorRef> NetworkSpec::outputs() const {
  if (!outputs_.empty() || nodes_.empty()) return outputs_;
  return {TensorRef{size() - 1, 0}};
}

std::vector<int> NetworkSpec::topological_order() const {
  std::vector<Graph::vertex_descriptor> reversed;
  boost::topological_sort(graph_, std::back_inserter(reversed));
  return std::vector<int>(reversed.rbegin(), reversed.rend());
}

std::vector<std::vector<int>> NetworkSpec::consumers() const {
  std::vector<std::vector<int>> out(nodes_.size());
  for (int id = 0; id < size(); ++id) {
    for (auto [e, end] = boost::out_edges(id, graph_); e != end; ++e) {
      const int t = static_cast<int>(boost::target(*e, graph_));
      if (out[id].empty() || out[id].back() != t) out[id].push_back(t);
    }
    std::sort(out[id].begin(), out[id].end());
    out[id].erase(std::unique(out[id].begin(), out[id].end()), out[id].end());
  }
  return out;
}

ops::OpCost NetworkSpec::total_cost() const {
  ops::OpCost total;
  for (const NodeSpec& n : nodes_) total += n.cost;
  return total;
}

int64_t NetworkSpec::param_count() const {
  int64_t count = 0;
  std::set<std::string> shared_seen;
  for (const NodeSpec& n : nodes_) {
    for (const ops::ParamSpec& p : n.params) {
      auto b = std::find_if(n.bindings.begin(), n.bindings.end(),
                            [&](const ParamBinding& x) { return x.param == p.name; });
      if (b == n.bindings.end()) count += p.shape.numel();
      else if (shared_seen.insert(b->shared).second) count += b->shared_shape.numel();
    }
  }
  return count;
}

}  // namespace nas::graph
