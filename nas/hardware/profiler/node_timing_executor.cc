#include "nas/hardware/profiler/node_timing_executor.h"

#include <algorithm>
#include <chrono>

#include "nas/graph/memory_plan.h"
#include "nas/train/rng.h"

namespace nas::hardware {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

Result<std::unique_ptr<NodeTimingExecutor>> NodeTimingExecutor::create(const graph::NetworkSpec& spec,
                                                                       uint64_t seed) {
  auto net = graph::Network::create(spec, graph::ExecMode::kInference, seed);
  if (!net) return net.status();
  std::unique_ptr<NodeTimingExecutor> x(new NodeTimingExecutor());
  x->net_ = net.take();
  const graph::NetworkSpec& s = x->net_->spec();
  x->order_ = s.topological_order();
  train::Rng rng(seed);
  for (int id : s.inputs()) {
    ops::Tensor t = ops::Tensor::empty(s.node(id).output_shapes[0]);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data()[i] = 2.0f * static_cast<float>(rng.next_u64() >> 40) / 16777216.0f - 1.0f;
    x->inputs_.push_back(t);
  }
  // The parameters the network's ops read; a parameter bound to a shared
  // tensor (once-for-all views) gets a private copy of its box.
  x->params_.resize(s.size());
  for (int id = 0; id < s.size(); ++id) {
    const graph::NodeSpec& node = s.node(id);
    for (const ops::ParamSpec& p : node.params) {
      const graph::Parameter* own = x->net_->parameters().find(node.name + "." + p.name);
      x->params_[id].push_back(own != nullptr ? own->value : ops::Tensor::zeros(p.shape));
    }
  }
  x->plan();
  return x;
}

void NodeTimingExecutor::plan() {
  // Network::plan() for ExecMode::kInference: one buffer per op output, live
  // from its producer's step to its last reader's (a network output to the
  // end), placed by plan_memory.
  const graph::NetworkSpec& s = net_->spec();
  const int n = s.size();
  const int steps = static_cast<int>(order_.size());
  std::vector<int> pos(n);
  for (int p = 0; p < steps; ++p) pos[order_[p]] = p;
  const auto consumers = s.consumers();
  const auto outputs = s.outputs();
  struct Slot {
    int node, output;
  };
  std::vector<Slot> slots;
  std::vector<graph::BufferRequest> requests;
  for (int id = 0; id < n; ++id) {
    const graph::NodeSpec& node = s.node(id);
    if (node.is_input()) continue;
    int last_reader = pos[id];
    for (int c : consumers[id]) last_reader = std::max(last_reader, pos[c]);
    for (int k = 0; k < static_cast<int>(node.output_shapes.size()); ++k) {
      const bool is_output =
          std::find(outputs.begin(), outputs.end(), graph::TensorRef{id, k}) != outputs.end();
      const int64_t bytes = node.output_shapes[k].numel() * static_cast<int64_t>(sizeof(float));
      requests.push_back({bytes, pos[id], is_output ? steps - 1 : last_reader});
      slots.push_back({id, k});
    }
  }
  const graph::MemoryPlan mp = graph::plan_memory(requests);
  arena_ = ops::allocate_floats(std::max<int64_t>(mp.arena_bytes / 4, 1));
  acts_.assign(n, {});
  for (int id = 0; id < n; ++id) acts_[id].resize(s.node(id).output_shapes.size());
  for (size_t i = 0; i < slots.size(); ++i)
    acts_[slots[i].node][slots[i].output] =
        ops::Tensor::wrap(arena_.get() + mp.offsets[i] / 4, s.node(slots[i].node).output_shapes[slots[i].output]);
  for (size_t j = 0; j < s.inputs().size(); ++j) acts_[s.inputs()[j]][0] = inputs_[j];
}

double NodeTimingExecutor::forward_timed(std::vector<double>& node_ms, TimingClock clock) {
  const graph::NetworkSpec& s = net_->spec();
  node_ms.assign(s.size(), 0.0);
  ops::OpContext ctx;
  ctx.training = false;
  std::vector<ops::Tensor> in;
  const double read_cost = clock_read_cost_ms(clock);
  const double start = clock_now_ms(clock);
  for (int id : order_) {
    ops::Op* op = net_->op(id);
    if (op == nullptr) continue;
    in.clear();
    for (const graph::TensorRef& t : s.node(id).inputs) in.push_back(acts_[t.node][t.output]);
    const double t0 = clock_now_ms(clock);
    op->forward(ctx, in, params_[id], acts_[id]);
    node_ms[id] = std::max(clock_now_ms(clock) - t0 - read_cost, 0.0);
  }
  return clock_now_ms(clock) - start;
}

double NodeTimingExecutor::forward_executor() {
  ops::OpContext ctx;
  ctx.training = false;
  const auto t0 = Clock::now();
  net_->forward(inputs_, ctx);
  return ms_between(t0, Clock::now());
}

}  // namespace nas::hardware
