#include "nas/hardware/profiler/machine_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "nas/hardware/profiler/latency_calibration.h"
#include "nas/hardware/profiler/timing_stats.h"
#include "nas/util/format.h"

namespace nas::hardware {
namespace {

using Clock = std::chrono::steady_clock;

// Forward passes the timer runs per network in its first sweep (warm-up and
// timed passes, each after `settle` untimed ones), extra rounds left out.
int passes_per_network(const NetworkTimingOptions& t) {
  return (t.warmup + t.repeats) * (1 + t.settle);
}

}  // namespace

Result<std::vector<graph::NetworkSpec>> machine_state_networks(const std::vector<const space::Space*>& spaces,
                                                               const CostModel& model,
                                                               const MachineStateOptions& options) {
  NAS_CHECK(options.max_networks >= 1 && options.min_networks >= 1 && options.calibration_stream >= 1);
  // Candidates: each space's calibration stream, taken round-robin so that
  // every space is represented when the budget runs out.
  std::vector<std::vector<SampledNetwork>> streams;
  for (int i = 0; i < static_cast<int>(spaces.size()); ++i) {
    auto sampled = calibration_networks(spaces, i, options.calibration_stream, options.batch);
    if (!sampled) return sampled.status();
    streams.push_back(sampled.take());
  }
  std::vector<graph::NetworkSpec> out;
  double cost_ms = 0;
  const int passes = passes_per_network(options.timing);
  for (size_t k = 0;; ++k) {
    bool any = false;
    for (auto& stream : streams) {
      if (k >= stream.size()) continue;
      any = true;
      if (static_cast<int>(out.size()) >= options.max_networks) break;
      const CostEstimate e = model.estimate(stream[k].spec);
      // Only networks the table covers whole: the calibration fitted those.
      if (e.lut_coverage < 1.0 || e.latency_ms <= 0) continue;
      const double network_ms = passes * e.latency_ms;
      if (static_cast<int>(out.size()) >= options.min_networks && cost_ms + network_ms > options.budget_ms) {
        any = false;  // the budget is spent
        break;
      }
      cost_ms += network_ms;
      out.push_back(std::move(stream[k].spec));
    }
    if (!any || static_cast<int>(out.size()) >= options.max_networks) break;
  }
  return out;
}

MachineState state_from_ratios(const std::vector<double>& measured_ms, const std::vector<double>& predicted_ms) {
  NAS_CHECK(measured_ms.size() == predicted_ms.size());
  MachineState s;
  std::vector<double> ratios;
  for (size_t i = 0; i < measured_ms.size(); ++i)
    if (predicted_ms[i] > 0) ratios.push_back(measured_ms[i] / predicted_ms[i]);
  s.networks = static_cast<int>(ratios.size());
  if (ratios.empty()) return s;
  // The median: the state moves every network alike, while load from
  // elsewhere disturbs some networks of a short check far more than others
  // (8 nas_bench_201 networks read 1.00x to 6.41x, mean 2.37x, under a load
  // average of 7).
  s.factor = median_of(ratios);
  s.min_ratio = *std::min_element(ratios.begin(), ratios.end());
  s.max_ratio = *std::max_element(ratios.begin(), ratios.end());
  return s;
}

std::vector<double> window_state_factors(const std::vector<int>& window, const std::vector<double>& measured_ms,
                                         const std::vector<double>& predicted_ms, int windows, int min_networks) {
  NAS_CHECK(window.size() == measured_ms.size() && window.size() == predicted_ms.size());
  std::vector<double> out;
  for (int w = 0; w < windows; ++w) {
    std::vector<double> measured, predicted;
    auto take = [&](int from) {
      for (size_t i = 0; i < window.size(); ++i)
        if (window[i] == from) {
          measured.push_back(measured_ms[i]);
          predicted.push_back(predicted_ms[i]);
        }
    };
    take(w);
    for (int r = 1; static_cast<int>(measured.size()) < min_networks && (w - r >= 0 || w + r < windows); ++r) {
      if (w - r >= 0) take(w - r);
      if (w + r < windows) take(w + r);
    }
    out.push_back(state_from_ratios(measured, predicted).factor);
  }
  return out;
}

Result<MachineState> measure_machine_state(const std::vector<const space::Space*>& spaces, const CostModel& model,
                                           const MachineStateOptions& options) {
  const auto start = Clock::now();
  auto specs = machine_state_networks(spaces, model, options);
  if (!specs) return specs.status();
  if (specs.value().empty())
    return Status::error("failed to check the machine state: the host table covers none of the spaces' "
                         "calibration networks");
  auto times = time_networks(specs.value(), options.timing);
  if (!times) return times.status();
  std::vector<double> measured, predicted;
  for (size_t i = 0; i < specs.value().size(); ++i) {
    measured.push_back(times.value()[i].low_quartile_ms);
    predicted.push_back(model.estimate(specs.value()[i]).latency_ms);
  }
  MachineState s = state_from_ratios(measured, predicted);
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const space::Space* sp : spaces) s.spaces += (s.spaces.empty() ? "" : ",") + sp->name();
  return s;
}

bool machine_state_changed(double factor) { return std::fabs(factor - 1.0) > 0.10; }

std::string machine_state_line(const MachineState& s, config::MachineStateMode mode) {
  std::string line = "host machine state: " + std::to_string(s.networks) + " calibration networks" +
                     (s.spaces.empty() ? "" : " of " + s.spaces) + " now run " + fixed(s.factor, 3) +
                     "x the latency the host table predicts (networks " + fixed(s.min_ratio, 2) + "-" +
                     fixed(s.max_ratio, 2) + "x; checked in " + fixed(s.seconds, 1) + " s); ";
  if (mode == config::MachineStateMode::kRescale)
    line += "host latencies in this run are scaled by " + fixed(s.factor, 3) + " (machine_state: rescale)";
  else
    line += "host latencies in this run are the table's, not scaled (machine_state: check)";
  return line;
}

std::string machine_state_warning(const MachineState& s, config::MachineStateMode mode) {
  if (!machine_state_changed(s.factor)) return "";
  const std::string f = fixed(s.factor, 2) + "x";
  const std::string why = "this machine now runs networks at " + f +
                          " the latency its host table was calibrated at (on shared VMs 2-thread speed switches "
                          "between states ~1.5x apart; docs/profiling.md)";
  if (mode == config::MachineStateMode::kRescale)
    return why + ": host latencies in this run ARE SCALED by " + fixed(s.factor, 3) +
           " (machine_state: rescale), so they depend on the state the machine was in when this run started";
  return why + ": host latencies in this run are NOT scaled (machine_state: check), so absolute host latency_ms "
               "and constraints on it are off by about " + f +
               " while rankings hold; set `- host: {machine_state: rescale}` to scale them, re-profile close to "
               "the search, or profile and search with --threads 1";
}

}  // namespace nas::hardware
