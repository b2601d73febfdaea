// A cost model whose latencies are another's times a factor: what
// `hardware: host` with `machine_state: rescale` gives when this machine
// runs networks at `factor` times the latency its table was calibrated at
// (profiler/machine_state.h). Only latencies scale (the estimate's and each
// node's); energy, memory, params, macs, coverage and feasibility are the
// inner model's. Energy stays unscaled because the only model this wraps,
// the measured host, has none (models_energy() false).
#pragma once

#include <atomic>
#include <memory>

#include "nas/hardware/cost_model.h"

namespace nas::hardware {

class ScaledCostModel final : public CostModel {
 public:
  // REQUIRES: inner not null, factor > 0.
  ScaledCostModel(std::unique_ptr<CostModel> inner, double factor);

  const std::string& name() const override { return inner_->name(); }
  bool models_energy() const override { return inner_->models_energy(); }
  // Thread-safe as the inner model is.
  CostEstimate estimate(const graph::NetworkSpec& spec, bool breakdown) const override;

  // The machine-state re-check (profiler/machine_state_tracker.h) changes the
  // factor between evaluations. REQUIRES: factor > 0; no estimate() running
  // whose result must use one factor or the other (the engine calls it while
  // no candidate is being evaluated).
  void set_factor(double factor);
  double factor() const { return factor_.load(std::memory_order_relaxed); }
  const CostModel& inner() const { return *inner_; }

 private:
  std::unique_ptr<CostModel> inner_;
  std::atomic<double> factor_;
};

// REQUIRES: inner not null, factor > 0.
std::unique_ptr<ScaledCostModel> make_scaled_cost_model(std::unique_ptr<CostModel> inner, double factor);

}  // namespace nas::hardware
