// ProfileCostModel: the cost model of one device profile. Latency per node
// comes from the profile's measured LUT where it has the node's signature,
// from the roofline otherwise (max of compute time at the op class's
// efficiency and memory time, plus per-layer overhead, with fusion rules
// applied); energy is modelled from FLOPs, DRAM bytes and static power;
// memory is the inference peak (activations by liveness + parameters).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "nas/config/diagnostics.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/hardware_profile.h"
#include "nas/hardware/latency_table.h"

namespace nas::hardware {

// `lut` overrides the roofline for the signatures it holds (none: roofline only).
// REQUIRES: a profile as load_hardware_profile() returns it (the peak of its
// precision and its bandwidth > 0, fusion rules within the limits).
std::unique_ptr<CostModel> make_profile_cost_model(HardwareProfile profile,
                                                   std::optional<LatencyTable> lut);

// Loads the profile YAML at `path` and the LUT it names, and makes its cost
// model; null after adding every problem (file:line:col) to `diagnostics`.
std::unique_ptr<CostModel> load_profile_cost_model(const std::filesystem::path& path,
                                                   config::Diagnostics& diagnostics);

}  // namespace nas::hardware
