#include "nas/hardware/profiler/in_network_measurement.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "nas/graph/architecture_builder.h"
#include "nas/hardware/profiler/network_timer.h"
#include "nas/hardware/profiler/node_timing_executor.h"
#include "nas/hardware/profiler/run_delay.h"
#include "nas/hardware/profiler/timing_stats.h"
#include "nas/train/rng.h"

namespace nas::hardware {
namespace {

Result<graph::NetworkSpec> build_origin(const std::vector<const space::Space*>& spaces,
                                        const OpConfig& c, int64_t batch) {
  NAS_CHECK(c.space_index >= 0 && c.space_index < static_cast<int>(spaces.size()));
  const space::Space& s = *spaces[c.space_index];
  auto arch = s.decode(c.genotype);
  if (!arch) return Status::error("failed to decode " + s.canonical_string(c.genotype) + ": " + arch.status().message());
  return graph::build_network_spec(arch.value(), batch);
}

}  // namespace

Result<InNetworkMeasurement> measure_in_networks(const std::vector<const space::Space*>& spaces,
                                                std::span<const OpConfig> wanted,
                                                std::span<const OpConfig> probe,
                                                const InNetworkOptions& options,
                                                const std::function<void(int64_t)>& progress) {
  NAS_CHECK(options.warmup >= 1 && options.repeats >= 1);
  std::unordered_map<uint64_t, size_t> wanted_index;
  for (size_t i = 0; i < wanted.size(); ++i) wanted_index.emplace(wanted[i].signature_hash, i);
  // Per wanted configuration: samples from undisturbed passes (run_delay.h),
  // and from the others (used only when too few were undisturbed).
  std::vector<std::vector<double>> samples(wanted.size()), disturbed(wanted.size());
  std::unordered_set<uint64_t> covered;
  std::vector<double> overhead_us;
  InNetworkMeasurement out;
  const int sweeps = std::max(1, options.sweeps);
  const int repeats = (options.repeats + sweeps - 1) / sweeps;  // per sweep
  int64_t done = 0;  // wanted configurations covered by the first sweep
  std::vector<const OpConfig*> plan;  // the networks of the first sweep, by origin

  auto run_network = [&](const OpConfig& origin, bool first_sweep) -> Status {
    auto spec = build_origin(spaces, origin, options.batch);
    if (!spec) return spec.status();
    auto x = NodeTimingExecutor::create(spec.value(), train::mix_seed(options.seed, out.networks));
    if (!x) return x.status();
    NodeTimingExecutor& ex = *x.value();
    const graph::NetworkSpec& s = ex.spec();
    const bool time_executor =
        first_sweep && out.networks < options.overhead_networks && options.clock == TimingClock::kWall;
    if (first_sweep) ++out.networks;
    std::vector<double> node_ms;
    for (int w = 0; w < options.warmup; ++w) {
      ex.forward_timed(node_ms, options.clock);
      if (time_executor) ex.forward_executor();
    }
    int op_nodes = 0;
    for (int id = 0; id < s.size(); ++id) op_nodes += s.node(id).is_input() ? 0 : 1;
    for (int r = 0; r < repeats; ++r) {
      // The executor's pass first, then the timed one: each then follows a
      // pass over the same network, as in a network served repeatedly.
      const double executor_ms = time_executor ? ex.forward_executor() : 0.0;
      const int64_t d0 = process_run_delay_ns();
      const double pass_ms = ex.forward_timed(node_ms, options.clock);
      const bool clean = undisturbed_pass(d0, process_run_delay_ns(), pass_ms);
      double nodes_ms = 0;
      for (int id = 0; id < s.size(); ++id) {
        nodes_ms += node_ms[id];
        if (auto it = wanted_index.find(s.node(id).signature_hash); it != wanted_index.end())
          (clean ? samples : disturbed)[it->second].push_back(node_ms[id]);
      }
      if (time_executor && op_nodes > 0) overhead_us.push_back(1000.0 * (executor_ms - nodes_ms) / op_nodes);
    }
    if (first_sweep)
      for (int id = 0; id < s.size(); ++id) {
        const uint64_t h = s.node(id).signature_hash;
        if (wanted_index.count(h) && covered.insert(h).second) ++done;
      }
    return Status::ok();
  };

  // progress: the first sweep's share by configurations covered, each later
  // sweep's by networks run.
  const int64_t total = static_cast<int64_t>(wanted.size());
  for (const OpConfig& c : wanted) {
    if (covered.count(c.signature_hash)) continue;
    if (Status st = run_network(c, true); !st) return st;
    NAS_CHECK(covered.count(c.signature_hash));  // its origin network contains it
    plan.push_back(&c);
    if (progress) progress(done / sweeps);
  }
  for (int sweep = 1; sweep < sweeps; ++sweep) {
    for (size_t i = 0; i < plan.size(); ++i) {
      if (Status st = run_network(*plan[i], false); !st) return st;
      if (progress)
        progress((total * sweep + total * static_cast<int64_t>(i + 1) / static_cast<int64_t>(plan.size())) / sweeps);
    }
  }
  for (size_t i = 0; options.clock == TimingClock::kWall && out.networks < options.overhead_networks && i < probe.size(); ++i)
    if (Status st = run_network(probe[i], true); !st) return st;

  for (size_t i = 0; i < wanted.size(); ++i) {
    if (samples[i].size() < static_cast<size_t>(kMinUndisturbed))
      samples[i].insert(samples[i].end(), disturbed[i].begin(), disturbed[i].end());
    const TimingStats t = summarize_timings(samples[i]);
    LatencyEntry e;
    e.signature = wanted[i].signature;
    e.latency_ms = std::max(t.typical_mean_ms, 1e-6);  // a LUT latency is > 0
    e.spread_pct = t.spread_pct;
    e.repeats = t.repeats;
    out.entries.push_back(e);
  }
  out.overhead_samples = static_cast<int>(overhead_us.size());
  if (!overhead_us.empty()) out.per_layer_us = median_of(overhead_us);
  return out;
}

}  // namespace nas::hardware
