// The machine's state: does this machine still run whole networks at the
// speed its host latency table was calibrated at?
//
// On a shared VM, 2-thread whole-network speed switches between states
// ~1.5x apart within minutes while the guest sees no run delay and no load
// (docs/profiling.md, "Machine state at search time"): a table calibrated in
// one state predicts the other 35-50% off, though it still ranks networks
// right. The calibration fitted the table to its calibration networks
// (latency_calibration.h) to about 1.0, so re-timing a few of them now with
// the profiler's network timer (network_timer.h) and dividing by what the
// table predicts gives the state factor: ~1.0 in the state the table was
// calibrated in, ~1.5 or ~0.67 in the other. `hardware: host` checks it
// when the cost model is loaded (load_cost_model.h) and, on the host
// entry's schedule, again during a search (machine_state_tracker.h);
// `machine_state:` in the experiment chooses what happens then
// (config::MachineStateMode).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/graph/network_spec.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/profiler/network_timer.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct MachineStateOptions {
  // Networks re-timed: the first ones of each space's calibration stream
  // (calibration_networks(), `calibration_stream` networks long) that the
  // table covers, as many as fit `budget_ms` of predicted timing, at least
  // min_networks and at most max_networks.
  int max_networks = 8;
  int min_networks = 3;
  double budget_ms = 2000;
  int calibration_stream = 48;  // nas profile's --calibrate default
  int64_t batch = 1;
  // Short timing: one sweep, 2 warm-up and 4 timed passes per network (each
  // after an untimed one), one retry sweep for networks that had fewer than
  // 3 undisturbed passes. The state holds for minutes, so one sweep is a
  // fair snapshot; the mean over several networks smooths each one's noise.
  NetworkTimingOptions timing = [] {
    NetworkTimingOptions t;
    t.warmup = 2;
    t.repeats = 4;
    t.sweeps = 1;
    t.extra_rounds = 1;
    t.retry_sweeps = 1;
    return t;
  }();
};

struct MachineState {
  // Median over the networks of measured / predicted latency: 1.0 when the
  // machine runs as when the table was calibrated, 1.5 when networks now
  // take 1.5x as long. (`nas profile --validate`'s "machine state" line is
  // the mean over 48 networks, each timed 3x longer.)
  double factor = 1.0;
  double min_ratio = 1.0, max_ratio = 1.0;  // the networks' extreme ratios
  int networks = 0;
  double seconds = 0;      // wall time of the check (building and timing)
  std::string spaces;      // the spaces the networks came from, comma-separated
};

// The networks the check times (see MachineStateOptions), in order; empty
// when the table covers none. Deterministic for given spaces and table.
Result<std::vector<graph::NetworkSpec>> machine_state_networks(const std::vector<const space::Space*>& spaces,
                                                               const CostModel& model,
                                                               const MachineStateOptions& options);

// Times machine_state_networks() and compares with `model`. An error when
// the table covers none of them or a network cannot be built.
Result<MachineState> measure_machine_state(const std::vector<const space::Space*>& spaces, const CostModel& model,
                                           const MachineStateOptions& options = {});

// The state factor from measured and predicted latencies of the same
// networks (median of measured / predicted; entries with a prediction <= 0
// are skipped; factor 1 when none is left). REQUIRES: equal sizes.
MachineState state_from_ratios(const std::vector<double>& measured_ms, const std::vector<double>& predicted_ms);

// The state factor of each timing window (`nas profile --validate`'s
// "state-tracked" figure): window w's factor is state_from_ratios() over the
// reference networks measured in window w (`window[i]` in 0 .. windows - 1);
// a window with fewer than `min_networks` of them also takes those of the
// nearest windows (w - 1 and w + 1, then w - 2 and w + 2, ...) until it has
// that many or there are no more. REQUIRES: equal sizes.
std::vector<double> window_state_factors(const std::vector<int>& window, const std::vector<double>& measured_ms,
                                         const std::vector<double>& predicted_ms, int windows, int min_networks = 3);

// |factor - 1| > 10%: the machine no longer runs at the table's speed.
bool machine_state_changed(double factor);

// The one line `hardware: host` prints (to stderr), labelled "host machine
// state:", with the factor, what it was measured on and what the run does
// with it under `mode` (kCheck: latencies as in the table; kRescale: scaled
// by the factor).
std::string machine_state_line(const MachineState& state, config::MachineStateMode mode);

// The warning printed after that line when machine_state_changed(); empty
// otherwise. Says whether this run's host latencies are scaled and why.
std::string machine_state_warning(const MachineState& state, config::MachineStateMode mode);

}  // namespace nas::hardware
