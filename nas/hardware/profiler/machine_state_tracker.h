// Following the machine's state during a search: the host's machine-state
// check (machine_state.h) at start, then re-checks between evaluations on
// the schedule of the host entry (`recheck_interval`, `recheck_candidates`),
// each one applying from the next candidate evaluated.
//
// Under `machine_state: rescale` a re-check sets the factor of the host's
// ScaledCostModel, so candidates evaluated afterwards get the new factor;
// under `check` it only reports (the run's latencies never depend on it).
// Each check is one record (machine_state_record(), one line of
// runs/NAME/machine_state.jsonl) that says which candidate it applies from.
//
// Each check also reads the core-to-core round trip (core_round_trip.h,
// 0.1-65 ms) and records it, but a change of it does not trigger a
// re-check: measured on this VM (docs/profiling.md, "Following the state
// during a search"), it read the far state (~320 ns) in 34 of 59 rounds in
// which darts networks ran at their fast-state speed, so as a trigger it
// would re-time networks (0.3 s for darts, ~10 s for fbnet under load) every
// few tens of seconds for nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/profiler/core_round_trip.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/hardware/scaled_cost_model.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

// Measures the machine state of `model` on `spaces`: measure_machine_state
// in the product; tests give a fake so that nothing is timed.
using MachineStateProbe = std::function<Result<MachineState>(const std::vector<const space::Space*>& spaces,
                                                             const CostModel& model)>;
// The core round trip: measure_core_round_trip in the product; a fake in
// tests; empty: not read.
using RoundTripProbe = std::function<CoreRoundTrip()>;

struct RecheckSchedule {
  std::optional<double> interval_s;   // re-check when this long has passed since the last check
  std::optional<int64_t> candidates;  // ... or this many candidates were evaluated since
  bool any() const { return interval_s.has_value() || candidates.has_value(); }
};

// One check, one line of machine_state.jsonl.
struct MachineStateCheck {
  int64_t from_candidate = 0;  // the first candidate id whose host latencies it decides
  std::string trigger;         // "start", "interval", "candidates"
  MachineState state;          // what the networks measured
  double applied_factor = 1;   // the factor host latencies get from from_candidate on (1 unless rescale)
  double round_trip_ns = 0;    // the core round trip read with it; 0: none (one thread, or no answer)
};

class MachineStateTracker {
 public:
  // Seconds on a monotonic clock; tests give a fake.
  using Clock = std::function<double()>;

  // `table`: the host's unscaled cost model (what the factor is relative
  // to); `scaled`: under kRescale the model the run uses, whose factor each
  // check sets (null otherwise). Both, and the spaces, are borrowed and
  // must outlive the tracker. REQUIRES: mode != kOff; scaled set iff kRescale.
  MachineStateTracker(config::MachineStateMode mode, std::vector<const space::Space*> spaces, const CostModel& table,
                      ScaledCostModel* scaled, MachineStateProbe probe, RoundTripProbe round_trip,
                      RecheckSchedule schedule, Clock clock = {});
  MachineStateTracker(const MachineStateTracker&) = delete;
  MachineStateTracker& operator=(const MachineStateTracker&) = delete;

  // Checks now (round trip, then the networks) and applies the factor from
  // candidate `from_candidate` on. An error when the probe fails or gives a
  // factor that is not a positive number; the factor in force then stays.
  Result<MachineStateCheck> check(int64_t from_candidate, const std::string& trigger);

  // Before candidate `next` is evaluated (nothing being evaluated): checks
  // when the schedule says so; nullopt when not due.
  // After a failed re-check the schedule restarts from now, so a broken
  // probe is not retried before every candidate.
  Result<std::optional<MachineStateCheck>> maybe_recheck(int64_t next);

  config::MachineStateMode mode() const { return mode_; }
  // The last successful check; REQUIRES: one happened.
  const MachineStateCheck& last() const;
  double applied_factor() const { return last_ ? last_->applied_factor : 1.0; }

 private:
  double now() const;

  config::MachineStateMode mode_;
  std::vector<const space::Space*> spaces_;
  const CostModel& table_;
  ScaledCostModel* scaled_;
  MachineStateProbe probe_;
  RoundTripProbe round_trip_;
  RecheckSchedule schedule_;
  Clock clock_;
  std::optional<MachineStateCheck> last_;
  double last_check_s_ = 0;  // when the last check (or failed re-check) ran
  int64_t last_from_ = 0;    // and the candidate it applied from
};

// The record of one check (machine_state.jsonl): time (UTC), hardware,
// machine_state, from_candidate, trigger, factor, applied_factor, networks,
// min_ratio, max_ratio, seconds, round_trip_ns, spaces, threads; one line.
std::string machine_state_record(const MachineStateCheck& check, config::MachineStateMode mode, int threads);

// The line a re-check prints (stderr, labelled "host machine state,
// re-checked before candidate N (trigger):").
std::string machine_state_recheck_line(const MachineStateCheck& check, config::MachineStateMode mode);

}  // namespace nas::hardware
