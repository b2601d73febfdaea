// NodeTimingExecutor: runs a network's forward pass the way the executor
// (nas/graph/network.h) does, but timing every node. Latencies measured this
// way carry the cache state a node meets inside a network (its input just
// written by its producer, its output in an arena slot that other tensors
// used moments before, the weights of the whole network competing for the
// caches), which an op timed alone in a loop does not: on this project's
// VMs an isolated op runs up to 2x faster than the same op inside a 224x224
// network (docs/profiling.md has the figures).
//
// It uses the Network's own ops and parameters (so the kernels, the
// autotuned conv algorithms and the weights are the executor's) and lays
// out activations in an arena planned exactly as Network::plan() plans an
// inference network (nas/graph/memory_plan.h, the same requests). Keep the
// two in step.
#pragma once

#include <memory>
#include <vector>

#include "nas/graph/network.h"
#include "nas/graph/network_spec.h"
#include "nas/hardware/profiler/timing_clock.h"
#include "ops/core/status.h"

namespace nas::hardware {

class NodeTimingExecutor {
 public:
  // Creates the network (inference mode, parameters from `seed`) and the
  // input tensors (deterministic values).
  static Result<std::unique_ptr<NodeTimingExecutor>> create(const graph::NetworkSpec& spec,
                                                            uint64_t seed);

  const graph::NetworkSpec& spec() const { return net_->spec(); }

  // One forward pass through the timed loop: node_ms[id] = the time of node
  // id's forward call on `clock`, less the cost of reading the clock (0 for
  // network inputs). Returns the pass's total ms on that clock.
  double forward_timed(std::vector<double>& node_ms, TimingClock clock = TimingClock::kWall);
  // One forward pass through the executor itself (Network::forward); returns its ms.
  double forward_executor();

 private:
  NodeTimingExecutor() = default;
  void plan();

  std::unique_ptr<graph::Network> net_;
  std::vector<int> order_;
  std::vector<ops::Tensor> inputs_;                    // one per spec input
  std::vector<std::vector<ops::Tensor>> params_;       // per node
  std::vector<std::vector<ops::Tensor>> acts_;         // per node, per output
  std::shared_ptr<float[]> arena_;
};

}  // namespace nas::hardware
