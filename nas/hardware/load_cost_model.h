// The cost model of one `hardware:` entry of an experiment: a profile YAML
// (with its LUT when it names one), or the measured host.
#pragma once

#include <memory>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/hardware/cost_model.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct HostOptions {
  int threads = 0;       // 0: the current ops::num_threads()
  int64_t batch = 1;
  bool show_progress = true;  // a progress line while measuring
};

// For a profile file: loads and checks it (errors as file:line:col). For
// host: loads the cached host profile and LUT for this CPU model and thread
// count, measuring first any op configuration of `spaces` it lacks (with a
// progress line), then caches the result.
Result<std::unique_ptr<CostModel>> load_cost_model(const config::HardwareSpec& hardware,
                                                   const std::vector<const space::Space*>& spaces,
                                                   const HostOptions& host = {});

}  // namespace nas::hardware
