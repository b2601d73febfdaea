#include "nas/hardware/profiler/machine_state_tracker.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "nas/util/format.h"

namespace nas::hardware {

MachineStateTracker::MachineStateTracker(config::MachineStateMode mode, std::vector<const space::Space*> spaces,
                                         const CostModel& table, ScaledCostModel* scaled, MachineStateProbe probe,
                                         RoundTripProbe round_trip, RecheckSchedule schedule, Clock clock)
    : mode_(mode),
      spaces_(std::move(spaces)),
      table_(table),
      scaled_(scaled),
      probe_(std::move(probe)),
      round_trip_(std::move(round_trip)),
      schedule_(schedule),
      clock_(std::move(clock)) {
  NAS_CHECK(mode_ != config::MachineStateMode::kOff);
  NAS_CHECK((scaled_ != nullptr) == (mode_ == config::MachineStateMode::kRescale));
  NAS_CHECK(probe_ != nullptr);
}

double MachineStateTracker::now() const {
  if (clock_) return clock_();
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const MachineStateCheck& MachineStateTracker::last() const {
  NAS_CHECK(last_.has_value());
  return *last_;
}

Result<MachineStateCheck> MachineStateTracker::check(int64_t from_candidate, const std::string& trigger) {
  last_check_s_ = now();
  last_from_ = from_candidate;
  MachineStateCheck c;
  c.from_candidate = from_candidate;
  c.trigger = trigger;
  // Recorded beside the factor, read just before the networks so both see
  // the same moment (it decides nothing: machine_state_tracker.h).
  if (round_trip_) {
    const CoreRoundTrip rt = round_trip_();
    c.round_trip_ns = rt.answered > 0 ? rt.ns : 0;
  }
  Result<MachineState> state = probe_(spaces_, table_);
  if (!state) return state.status();
  if (!(state.value().factor > 0) || !std::isfinite(state.value().factor))
    return Status::error("factor " + std::to_string(state.value().factor));
  c.state = state.value();
  c.applied_factor = mode_ == config::MachineStateMode::kRescale ? c.state.factor : 1.0;
  if (scaled_ != nullptr) scaled_->set_factor(c.applied_factor);
  last_ = c;
  return c;
}

Result<std::optional<MachineStateCheck>> MachineStateTracker::maybe_recheck(int64_t next) {
  if (!schedule_.any()) return std::optional<MachineStateCheck>{};
  const double t = now();
  std::string trigger;
  if (schedule_.interval_s && t - last_check_s_ >= *schedule_.interval_s) {
    trigger = "interval";
  } else if (schedule_.candidates && next - last_from_ >= *schedule_.candidates) {
    trigger = "candidates";
  }
  if (trigger.empty()) return std::optional<MachineStateCheck>{};
  Result<MachineStateCheck> c = check(next, trigger);
  if (!c) return c.status();
  return std::optional<MachineStateCheck>(c.take());
}

std::string machine_state_record(const MachineStateCheck& c, config::MachineStateMode mode, int threads) {
  nlohmann::ordered_json j;
  j["time"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
  j["hardware"] = "host";
  j["machine_state"] = config::machine_state_mode_name(mode);
  j["from_candidate"] = c.from_candidate;
  j["trigger"] = c.trigger;
  j["factor"] = c.state.factor;
  j["applied_factor"] = c.applied_factor;
  j["networks"] = c.state.networks;
  j["min_ratio"] = c.state.min_ratio;
  j["max_ratio"] = c.state.max_ratio;
  j["seconds"] = c.state.seconds;
  j["round_trip_ns"] = c.round_trip_ns;
  j["spaces"] = c.state.spaces;
  j["threads"] = threads;
  return j.dump();
}

std::string machine_state_recheck_line(const MachineStateCheck& c, config::MachineStateMode mode) {
  std::string line = "host machine state, re-checked before candidate " + std::to_string(c.from_candidate) + " (" +
                     c.trigger + (c.round_trip_ns > 0 ? ", core round trip " + fixed(c.round_trip_ns, 0) + " ns" : "") +
                     "): " + std::to_string(c.state.networks) + " calibration networks now run " +
                     fixed(c.state.factor, 3) + "x the table (networks " + fixed(c.state.min_ratio, 2) + "-" +
                     fixed(c.state.max_ratio, 2) + "x; " + fixed(c.state.seconds, 1) + " s); ";
  if (mode == config::MachineStateMode::kRescale)
    line += "host latencies from candidate " + std::to_string(c.from_candidate) + " on are scaled by " +
            fixed(c.applied_factor, 3) + " (machine_state: rescale)";
  else
    line += "host latencies stay the table's (machine_state: check)";
  return line;
}

}  // namespace nas::hardware
