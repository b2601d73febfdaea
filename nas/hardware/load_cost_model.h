// The cost model of one `hardware:` entry of an experiment: a profile YAML
// (with its LUT when it names one), or the measured host.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

// What the host's machine-state check found (machine_state.h) and did.
struct HostStateReport {
  bool checked = false;  // false: machine_state off, or not the host
  config::MachineStateMode mode = config::MachineStateMode::kCheck;
  MachineState state;
  // The factor the host's latencies were multiplied by: state.factor under
  // kRescale, else 1.
  double applied_factor = 1.0;
};

// Measures the machine state of `model` on `spaces`: measure_machine_state
// by default; tests give a fake so that nothing is timed.
using MachineStateProbe = std::function<Result<MachineState>(const std::vector<const space::Space*>& spaces,
                                                             const CostModel& model)>;

struct HostOptions {
  int threads = 0;       // 0: the current ops::num_threads()
  int64_t batch = 1;
  bool show_progress = true;  // a progress line while measuring
  MachineStateProbe measure_state;        // empty: measure_machine_state at `batch`
  HostStateReport* state_report = nullptr;  // when set, receives the check's result
};

// For a profile file: loads and checks it (errors as file:line:col). For
// host: loads the cached host profile and LUT for this CPU model and thread
// count, measuring first any op configuration of `spaces` it lacks (with a
// progress line), then caches the result. Then, unless
// hardware.machine_state is kOff, checks the machine state (a few seconds:
// machine_state.h), prints its line to stderr (log_info) and, when the
// factor is more than 10% from 1, a warning; under kRescale the returned
// model's latencies are multiplied by the factor.
Result<std::unique_ptr<CostModel>> load_cost_model(const config::HardwareSpec& hardware,
                                                   const std::vector<const space::Space*>& spaces,
                                                   const HostOptions& host = {});

}  // namespace nas::hardware
