// The cost model of one `hardware:` entry of an experiment: a profile YAML
// (with its LUT when it names one), or the measured host.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/hardware/profiler/machine_state_tracker.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

// What the host's machine-state check found (machine_state.h) and did.
struct HostStateReport {
  bool checked = false;  // false: machine_state off, or not the host
  config::MachineStateMode mode = config::MachineStateMode::kCheck;
  // The check at start (from HostOptions::first_candidate on).
  MachineStateCheck start;
  MachineState state;         // = start.state
  double applied_factor = 1;  // = start.applied_factor: its factor under kRescale, else 1
  // Re-checks during a search (the host entry's recheck_interval /
  // recheck_candidates): the search calls maybe_recheck() between
  // evaluations. Set whenever `checked`; it borrows the returned cost model
  // and the spaces, so it must not outlive them.
  std::shared_ptr<MachineStateTracker> tracker;
};

struct HostOptions {
  int threads = 0;       // 0: the current ops::num_threads()
  int64_t batch = 1;
  bool show_progress = true;  // a progress line while measuring
  MachineStateProbe measure_state;        // empty: measure_machine_state at `batch`
  RoundTripProbe round_trip;              // empty: measure_core_round_trip
  MachineStateTracker::Clock clock;       // empty: the steady clock
  HostStateReport* state_report = nullptr;  // when set, receives the check's result
  // The first candidate the check at start applies to (a resumed search:
  // the number of journaled candidates).
  int64_t first_candidate = 0;
};

// For a profile file: loads and checks it (errors as file:line:col). For
// host: loads the cached host profile and LUT for this CPU model and thread
// count, measuring first any op configuration of `spaces` it lacks (with a
// progress line), then caches the result. Then, unless
// hardware.machine_state is kOff, checks the machine state (a few seconds:
// machine_state.h), prints its line to stderr (log_info) and, when the
// factor is more than 10% from 1, a warning; under kRescale the returned
// model's latencies are multiplied by the factor (a ScaledCostModel whose
// factor later re-checks set: HostStateReport::tracker).
Result<std::unique_ptr<CostModel>> load_cost_model(const config::HardwareSpec& hardware,
                                                   const std::vector<const space::Space*>& spaces,
                                                   const HostOptions& host = {});

}  // namespace nas::hardware
