// The measured host profile (`nas profile`, `hardware: host`): this
// machine's FP32 peak, bandwidth, executor overhead and a latency table of
// every op configuration of the given spaces, measured with the project's
// kernels and executor, kept in the host cache (host_cache.h) or a folder
// the user names. Re-running measures only the configurations the table
// lacks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nas/hardware/hardware_profile.h"
#include "nas/hardware/latency_table.h"
#include "nas/hardware/profiler/latency_calibration.h"
#include "nas/hardware/profiler/op_configs.h"
#include "nas/hardware/profiler/timing_clock.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct HostProfileOptions {
  int threads = 0;        // 0: the current ops::num_threads(); restored afterwards
  int64_t batch = 1;      // >= 1
  int repeats = 10;       // timed passes per network measured (>= 1)
  int warmup = 2;         // untimed passes first (>= 1)
  // Folder for host.yaml and host.lut.csv; empty: the host cache folder of
  // this CPU model, thread count and batch.
  std::filesystem::path out_dir;
  // Measure peak, bandwidth and executor overhead even when the folder has
  // them (nas profile does; hardware: host reuses them).
  bool remeasure_machine = true;
  bool show_progress = true;  // a progress line while measuring op latencies
  CollectOptions collect;     // its batch is set from `batch`
  // kThreadCpu (REQUIRES threads == 1 in effect): op latencies on the thread
  // CPU clock, robust to a loaded machine; kept in their own cache folder.
  TimingClock clock = TimingClock::kWall;
  // Random networks (over all spaces) the entries measured by this call are
  // calibrated on (latency_calibration.h); 0: entries as measured.
  int calibration_networks = 48;
};

struct HostProfileReport {
  HardwareProfile profile;      // as written (profile.source = the YAML's path)
  LatencyTable lut;             // every entry, old and new
  std::filesystem::path dir;    // where the two files are
  std::vector<SpaceCoverage> coverage;
  int64_t configs = 0;          // distinct configurations of the spaces
  int64_t measured = 0;         // of which measured by this call
  int networks = 0;             // networks run to measure them
  double median_spread_pct = 0; // median noise of the spaces' entries
  bool machine_measured = false;  // peak, bandwidth, overhead measured by this call
  std::string peak_isa;           // the FMA loop's ISA when measured
  std::string cpu_model;
  bool reused_cache = false;    // an existing profile was loaded and extended
  bool wrote = false;           // the files were (re)written by this call (false: nothing new)
  LatencyCalibration calibration;  // networks == 0: none this call
};

// Loads the profile in the folder (if any), measures what is missing, writes
// both files atomically. Errors: a space that does not build, a folder that
// cannot be written.
Result<HostProfileReport> profile_host(const std::vector<const space::Space*>& spaces,
                                       const HostProfileOptions& options);

}  // namespace nas::hardware
