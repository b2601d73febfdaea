#include "nas/hardware/load_cost_model.h"

#include <cmath>

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
  Result<MachineState> state = Status::error("unset");
  if (host.measure_state) {
    state = host.measure_state(spaces, *model);
  } else {
    MachineStateOptions so;
    so.batch = host.batch;
    state = measure_machine_state(spaces, *model, so);
  }
  if (!state) return Status::error("failed to check the host's machine state: " + state.status().message());
  if (!(state.value().factor > 0) || !std::isfinite(state.value().factor))
    return Status::error("failed to check the host's machine state: factor " + std::to_string(state.value().factor));
  log_info(machine_state_line(state.value(), mode));
  if (const std::string w = machine_state_warning(state.value(), mode); !w.empty()) log_warning(w);
  const bool rescale = mode == config::MachineStateMode::kRescale;
  if (host.state_report != nullptr) {
    host.state_report->checked = true;
    host.state_report->mode = mode;
    host.state_report->state = state.value();
    host.state_report->applied_factor = rescale ? state.value().factor : 1.0;
  }
  if (rescale) return make_scaled_cost_model(std::move(model), state.value().factor);
  return model;
}

}  // namespace nas::hardware
