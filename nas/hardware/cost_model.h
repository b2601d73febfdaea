// CostModel: latency, energy and memory of a network on one device. The
// search calls estimate() for every candidate on every profile, so it reads
// precomputed tables only; no kernel runs inside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nas/graph/network_spec.h"

namespace nas::hardware {

// One node's share of an estimate.
struct NodeCost {
  int node = -1;             // NetworkSpec node id
  double latency_ms = 0;
  double energy_mj = 0;
  bool measured = false;     // latency from a measured LUT entry, not the roofline
  bool fused = false;        // folded into the previous node's kernel by a fusion rule
};

struct CostEstimate {
  double latency_ms = 0;
  double energy_mj = 0;             // modelled unless energy_measured
  bool energy_measured = false;
  int64_t peak_memory_bytes = 0;    // peak activation bytes + parameter bytes (inference)
  int64_t activation_bytes = 0;     // peak activation bytes alone
  int64_t params = 0;
  int64_t macs = 0;
  // Share of latency_ms that came from measured LUT entries, in [0, 1].
  double lut_coverage = 0;
  // False when the network cannot run on the device (MCU SRAM / flash, DRAM
  // capacity); infeasible_reason then says which limit and by how much.
  bool feasible = true;
  std::string infeasible_reason;
  std::vector<NodeCost> breakdown;  // filled only when asked for
};

class CostModel {
 public:
  CostModel() = default;
  virtual ~CostModel() = default;
  CostModel(const CostModel&) = delete;
  CostModel& operator=(const CostModel&) = delete;

  // The profile name ("raspberry_pi4", "host").
  virtual const std::string& name() const = 0;
  // False when the device has no energy figures at all (every energy
  // coefficient 0 and no measured energies, as a measured host profile):
  // energy_mj is then 0 and means "unknown", not "free".
  virtual bool models_energy() const { return true; }
  // Estimates the inference cost of `spec` (its batch size is the one the
  // figures are for). Thread-safe (const, no shared mutable state).
  virtual CostEstimate estimate(const graph::NetworkSpec& spec, bool breakdown = false) const = 0;
};

}  // namespace nas::hardware
