#include "nas/hardware/profiler/host_profiler.h"

#include <algorithm>
#include <ctime>
#include <memory>

#include "nas/hardware/op_class.h"
#include "nas/hardware/profile_loader.h"
#include "nas/hardware/profiler/host_cache.h"
#include "nas/hardware/profiler/in_network_measurement.h"
#include "nas/hardware/profiler/machine_peaks.h"
#include "nas/hardware/profiler/timing_stats.h"
#include "nas/util/atomic_file.h"
#include "nas/util/format.h"
#include "nas/util/log.h"
#include "nas/util/progress.h"
#include "ops/core/parallel.h"

namespace nas::hardware {
namespace {

namespace fs = std::filesystem;

// The previous profile and table in `dir`, when they are there, readable
// and for the same thread count and batch; a warning otherwise.
void load_previous(const fs::path& dir, int threads, int64_t batch,
                   std::optional<HardwareProfile>& profile, std::optional<LatencyTable>& lut) {
  const fs::path yaml = dir / kHostProfileFile;
  std::error_code ec;
  if (!fs::exists(yaml, ec)) return;
  config::Diagnostics d;
  profile = load_hardware_profile(yaml, d);
  if (profile && !profile->lut.empty()) lut = LatencyTable::load(profile->lut, d);
  if (!profile || (!profile->lut.empty() && !lut)) {
    log_warning("measuring again: the previous host profile does not load:\n" + d.str());
  } else if (profile->threads != threads || profile->batch != batch) {
    log_warning("measuring again: " + yaml.string() + " was measured with " +
                std::to_string(profile->threads) + " threads, batch " + std::to_string(profile->batch));
  } else {
    if (!lut) lut.emplace();
    return;
  }
  profile.reset();
  lut.reset();
}

// Each op class's efficiency: the share of the FP32 peak its compute-bound
// configurations reach, as the roofline (max(compute, memory) + per-layer)
// would need it to reproduce their measured latency; the median over the
// class. Classes with no compute-bound configuration take the median of the
// others. The cost model uses them only for configurations the table lacks.
void derive_efficiencies(const OpConfigSet& set, const LatencyTable& lut, HardwareProfile& p) {
  std::vector<double> per_class[kNumOpClasses], all;
  for (const OpConfig& c : set.configs()) {
    const LatencyEntry* e = lut.find(c.signature_hash);
    if (e == nullptr) continue;
    const double flops = 2.0 * static_cast<double>(c.cost.macs) + static_cast<double>(c.cost.flops_other);
    const double bytes = static_cast<double>(c.cost.bytes_read + c.cost.bytes_written);
    const double run_ms = e->latency_ms - p.per_layer_us * 1e-3;
    if (flops <= 0 || run_ms <= 0) continue;
    const double peak_ms = flops * 1e-6 / p.fp32_gflops, memory_ms = bytes * 1e-6 / p.bandwidth_gbs;
    if (peak_ms < memory_ms) continue;  // memory-bound even at the peak: says nothing of compute
    const double eff = std::clamp(peak_ms / run_ms, 1e-4, 1.0);
    per_class[static_cast<int>(op_class(c.op, c.attrs))].push_back(eff);
    all.push_back(eff);
  }
  if (all.empty()) return;
  const double fallback = median_of(all);
  for (int k = 0; k < kNumOpClasses; ++k)
    p.efficiency[k] = per_class[k].empty() ? fallback : median_of(per_class[k]);
}

std::string calibration_comment(const LatencyCalibration& c) {
  if (c.networks == 0) return "entries as measured (no calibration in the last run)";
  std::string s = "entries measured in the last run calibrated on " + std::to_string(c.networks) +
                  " whole networks: latency = scale[class] * measured + " + std::to_string(c.per_node_us) +
                  " us; scales:";
  for (int k = 0; k < kNumOpClasses; ++k)
    if (c.fitted[k]) s += std::string(" ") + op_class_name(static_cast<OpClass>(k)) + " " + std::to_string(c.scale[k]);
  return s;
}

}  // namespace

Result<HostProfileReport> profile_host(const std::vector<const space::Space*>& spaces,
                                       const HostProfileOptions& options) {
  NAS_CHECK(options.batch >= 1 && options.repeats >= 1 && options.warmup >= 1);
  struct RestoreThreads {
    int n;
    ~RestoreThreads() {
      if (ops::num_threads() != n) ops::set_num_threads(n);
    }
  } restore{ops::num_threads()};
  if (options.threads > 0 && options.threads != ops::num_threads()) ops::set_num_threads(options.threads);
  const int threads = ops::num_threads();

  HostProfileReport report;
  report.cpu_model = cpu_model_name();
  report.dir = options.out_dir;
  if (report.dir.empty()) {
    const fs::path root = nas_cache_root();
    if (root.empty())
      return Status::error("failed to find a cache folder for the host profile: set NAS_CACHE_DIR or HOME, or give an output folder");
    report.dir = host_profile_dir(root, report.cpu_model, threads, options.batch,
                                  options.clock == TimingClock::kThreadCpu);
  }

  std::optional<HardwareProfile> previous;
  std::optional<LatencyTable> lut;
  load_previous(report.dir, threads, options.batch, previous, lut);
  report.reused_cache = previous.has_value();
  if (!lut) lut.emplace();

  OpConfigSet set;
  CollectOptions collect = options.collect;
  collect.batch = options.batch;
  auto coverage = collect_op_configs(spaces, collect, set);
  if (!coverage) return coverage.status();
  report.coverage = coverage.take();
  report.configs = static_cast<int64_t>(set.size());
  std::vector<OpConfig> missing;
  for (const OpConfig& c : set.configs())
    if (lut->find(c.signature_hash) == nullptr) missing.push_back(c);

  HardwareProfile p;
  if (previous) p = *previous;
  p.name = "host";
  p.kind = DeviceKind::kCpu;
  p.cores = threads;
  p.threads = threads;
  p.batch = options.batch;
  p.precision = Precision::kFp32;
  const bool measure_machine = options.remeasure_machine || !previous;
  if (measure_machine) {
    const MachinePeaks peaks = measure_machine_peaks();
    p.fp32_gflops = peaks.fp32_gflops;
    p.bandwidth_gbs = peaks.bandwidth_gbs;
    report.machine_measured = true;
    report.peak_isa = peaks.isa;
  }

  if (!missing.empty() || measure_machine) {
    std::unique_ptr<Progress> progress;
    if (options.show_progress && !missing.empty())
      progress = std::make_unique<Progress>("measuring op latencies", static_cast<int64_t>(missing.size()));
    InNetworkOptions in;
    in.batch = options.batch;
    in.warmup = options.warmup;
    in.repeats = options.repeats;
    in.overhead_networks = measure_machine ? 8 : 0;
    in.clock = options.clock;
    auto m = measure_in_networks(spaces, missing, set.configs(), in, [&](int64_t done) {
      if (progress) progress->update(done);
    });
    if (!m) return m.status();
    if (progress) progress->finish();
    report.networks = m.value().networks;
    if (m.value().overhead_samples > 0) p.per_layer_us = std::max(0.0, m.value().per_layer_us);
    // A table entry is a node's whole cost in the executor: its op's time
    // in context plus the executor's own per-node work.
    for (LatencyEntry e : m.value().entries) {
      e.latency_ms += p.per_layer_us * 1e-3;
      lut->put(e);
    }
    report.measured = static_cast<int64_t>(missing.size());
    if (!missing.empty() && options.calibration_networks > 0) {
      CalibrationOptions co;
      co.networks = options.calibration_networks;
      co.batch = options.batch;
      co.timing.repeats = options.repeats;
      co.timing.clock = options.clock;
      auto cal = calibrate_latency_table(spaces, missing, *lut, co);
      if (!cal) return cal.status();
      report.calibration = cal.value();
    }
  }

  std::vector<double> spreads;
  for (const OpConfig& c : set.configs())
    if (const LatencyEntry* e = lut->find(c.signature_hash)) spreads.push_back(e->spread_pct);
  if (!spreads.empty()) report.median_spread_pct = median_of(spreads);
  if (report.measured > 0 || measure_machine) derive_efficiencies(set, *lut, p);

  if (report.measured == 0 && !measure_machine && previous) {  // nothing new: files stay as they are
    report.profile = p;
    report.lut = std::move(*lut);
    return report;
  }
  const std::string date = utc_now("%Y-%m-%d %H:%M UTC");
  {
    p.description = "measured by nas profile on " + report.cpu_model + ", " + std::to_string(threads) +
                    " threads, batch " + std::to_string(options.batch) + ", " + date +
                    (options.clock == TimingClock::kThreadCpu ? ", thread CPU clock" : "");
  }
  std::error_code ec;
  fs::create_directories(report.dir, ec);
  if (ec) return Status::error("failed to create folder " + report.dir.string() + ": " + ec.message());
  p.source = report.dir / kHostProfileFile;
  p.lut = report.dir / kHostLutFile;
  const std::vector<std::string> comments = {
      "Generated by nas profile (nas/hardware/profiler): latencies of op configurations measured",
      "inside networks with the project's kernels and executor (docs/profiling.md).",
      "cpu: " + report.cpu_model,
      "threads: " + std::to_string(threads) + ", batch: " + std::to_string(options.batch),
      "updated: " + date + " (" + std::to_string(lut->size()) + " entries)",
      "latency_ms includes the executor's per-node overhead of " + std::to_string(p.per_layer_us) + " us",
      options.clock == TimingClock::kThreadCpu ? "clock: the executor thread's CPU time" : "clock: wall",
      calibration_comment(report.calibration)};
  if (Status s = lut->save(p.lut, comments); !s) return s;
  const std::string yaml =
      "# Generated by nas profile (nas/hardware/profiler): this machine, measured; do not edit.\n"
      "# " + report.cpu_model + ", " + std::to_string(threads) + " threads, batch " +
      std::to_string(options.batch) + ", " + date + "\n" + write_hardware_profile(p);
  if (Status s = write_file_atomic(p.source, yaml); !s) return s;
  // What the files hold (the table's figures are rounded to 6 digits), so
  // that this run and every later one that reads the cache estimate alike.
  std::optional<HardwareProfile> written;
  std::optional<LatencyTable> written_lut;
  load_previous(report.dir, threads, options.batch, written, written_lut);
  if (!written || !written_lut) return Status::error("failed to read back the host profile written to " + report.dir.string());
  report.profile = std::move(*written);
  report.lut = std::move(*written_lut);
  report.wrote = true;
  return report;
}

}  // namespace nas::hardware
