#include "nas/hardware/load_cost_model.h"

#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/profiler/host_profiler.h"

namespace nas::hardware {

Result<std::unique_ptr<CostModel>> load_cost_model(const config::HardwareSpec& hardware,
                                                   const std::vector<const space::Space*>& spaces,
                                                   const HostOptions& host) {
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
  return make_profile_cost_model(report.value().profile, std::move(report.value().lut));
}

}  // namespace nas::hardware
