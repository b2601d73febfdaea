#include "nas/hardware/load_cost_model.h"

#include <cmath>
#include <memory>

#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/profiler/host_profiler.h"
#include "nas/hardware/scaled_cost_model.h"
#include "nas/util/log.h"
#include "ops/core/parallel.h"

namespace nas::hardware {

Result<std::unique_ptr<CostModel>> load_cost_model(const config::HardwareSpec& hardware,
                                                   const std::vector<const space::Space*>& spaces,
                                                   const HostOptions& host) {
  if (host.state_report != nullptr) *host.state_report = HostStateReport{};
  if (!hardware.is_host()) {
    config::Diagnostics diagnostics;
    std::unique_ptr<CostModel> model = load_profile_cost_model(hardware.profile, diagnostics);
    if (!model) return Status::error(diagnostics.str());
    return model;
  }
  HostProfileOptions options;
  options.threads = host.threads;
  options.batch = host.batch;
  options.show_progress = host.show_progress;
  options.remeasure_machine = false;  // the cached figures serve; only missing configurations are measured
  auto report = profile_host(spaces, options);
  if (!report) return Status::error("failed to measure the host: " + report.status().message());
  std::unique_ptr<CostModel> model = make_profile_cost_model(report.value().profile, std::move(report.value().lut));
  const config::MachineStateMode mode = hardware.machine_state;
  if (mode == config::MachineStateMode::kOff) return model;

  // The table is for a thread count: time the networks on that count.
  struct RestoreThreads {
    int n;
    ~RestoreThreads() {
      if (ops::num_threads() != n) ops::set_num_threads(n);
    }
  } restore{ops::num_threads()};
  if (host.threads > 0 && host.threads != ops::num_threads()) ops::set_num_threads(host.threads);
  MachineStateProbe probe = host.measure_state;
  if (!probe) {
    MachineStateOptions so;
    so.batch = host.batch;
    probe = [so](const std::vector<const space::Space*>& s, const CostModel& m) {
      return measure_machine_state(s, m, so);
    };
  }
  RoundTripProbe round_trip = host.round_trip;
  if (!round_trip) round_trip = [] { return measure_core_round_trip(); };
  RecheckSchedule schedule;
  if (hardware.recheck_interval_s) schedule.interval_s = static_cast<double>(*hardware.recheck_interval_s);
  schedule.candidates = hardware.recheck_candidates;
  const CostModel& table = *model;
  std::unique_ptr<ScaledCostModel> scaled;
  if (mode == config::MachineStateMode::kRescale) scaled = make_scaled_cost_model(std::move(model), 1.0);
  auto tracker = std::make_shared<MachineStateTracker>(mode, spaces, table, scaled.get(), std::move(probe),
                                                       std::move(round_trip), schedule, host.clock);
  auto start = tracker->check(host.first_candidate, "start");
  if (!start) return Status::error("failed to check the host's machine state: " + start.status().message());
  log_info(machine_state_line(start.value().state, mode));
  if (const std::string w = machine_state_warning(start.value().state, mode); !w.empty()) log_warning(w);
  if (host.state_report != nullptr) {
    host.state_report->checked = true;
    host.state_report->mode = mode;
    host.state_report->start = start.value();
    host.state_report->state = start.value().state;
    host.state_report->applied_factor = start.value().applied_factor;
    host.state_report->tracker = tracker;
  }
  if (scaled) return std::unique_ptr<CostModel>(std::move(scaled));
  return model;
}

}  // namespace nas::hardware
