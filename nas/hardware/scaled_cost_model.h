// A cost model whose latencies are another's times a fixed factor: what
// `hardware: host` with `machine_state: rescale` gives when this machine
// runs networks at `factor` times the latency its table was calibrated at
// (profiler/machine_state.h). Only latencies scale (the estimate's and each
// node's); energy, memory, params, macs, coverage and feasibility are the
// inner model's. Energy stays unscaled because the only model this wraps,
// the measured host, has none (models_energy() false).
#pragma once

#include <memory>

#include "nas/hardware/cost_model.h"

namespace nas::hardware {

// REQUIRES: inner not null, factor > 0. Thread-safe as the inner model is.
std::unique_ptr<CostModel> make_scaled_cost_model(std::unique_ptr<CostModel> inner, double factor);

}  // namespace nas::hardware
