// ProfileCostModel: the cost model of one device profile. Latency per node
// comes from the profile's measured LUT where it has the node's signature,
// from the roofline otherwise (max of compute time at the op class's
// efficiency and memory time, plus per-layer overhead, with fusion rules
// applied); energy is modelled from FLOPs, DRAM bytes and static power;
// memory is the inference peak (activations by liveness + parameters).
#pragma once

#include <memory>
#include <optional>

#include "nas/hardware/cost_model.h"
#include "nas/hardware/hardware_profile.h"
#include "nas/hardware/latency_table.h"

namespace nas::hardware {

// `lut` overrides the roofline for the signatures it holds (none: roofline only).
std::unique_ptr<CostModel> make_profile_cost_model(HardwareProfile profile,
                                                   std::optional<LatencyTable> lut);

}  // namespace nas::hardware
