// Calibrates freshly measured latency-table entries on whole networks.
//
// Entries are measured node by node inside networks
// (in_network_measurement.h); a network's latency, as `nas profile
// --validate` reads it (the low quartile of interleaved passes through the
// real executor, network_timer.h), is not exactly the sum of its nodes'
// entries: per-node times are skewed and noisy (at 2 threads an op of a few
// microseconds waits on the second vCPU), the executor's own per-node work
// is measured apart, and a node's mean is not its share of a network's fast
// quartile. The calibration times a set of random networks of the spaces
// with that same timer and fits, by least squares on relative errors,
//
//   measured(network) = sum over op classes c of scale[c] * (sum of its
//                       class-c entries) + per_node_ms * (its nodes)
//
// then rewrites each entry measured in this profiling run as
// scale[class] * entry + per_node_ms. The calibration networks come from
// their own seed stream (calibration_networks()); `nas profile --validate`
// leaves them out of the networks it validates on, so no network is both
// fitted on and validated on.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nas/hardware/hardware_profile.h"
#include "nas/hardware/latency_table.h"
#include "nas/hardware/profiler/latency_validation.h"
#include "nas/hardware/profiler/network_timer.h"
#include "nas/hardware/profiler/op_configs.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct CalibrationOptions {
  int networks = 48;  // calibration networks over all spaces (split evenly); 0: no calibration
  int64_t batch = 1;
  NetworkTimingOptions timing;
  // Ridge weight pulling each scale toward 1 (relative to one network's
  // squared relative error): keeps a class that is a sliver of every
  // network from taking a wild scale.
  double ridge = 0.05;
};

struct LatencyCalibration {
  int networks = 0;                   // networks fitted on (those fully in the table)
  double scale[kNumOpClasses] = {};   // 1 for a class with no recalibrated entry
  bool fitted[kNumOpClasses] = {};    // the class had recalibrated entries
  double per_node_us = 0;             // added to every recalibrated entry
  // RMS of (sum of entries - measured) / measured over the calibration
  // networks, in %, before and after.
  double rmse_pct_before = 0, rmse_pct_after = 0;
  double mean_ratio_before = 0;       // mean measured / sum of entries before
};

// The calibration networks of `space_index` among `spaces` (count per space
// as calibrate_latency_table splits options.networks): a seed stream apart
// from the validation's. Their canonical strings are what --validate skips.
Result<std::vector<SampledNetwork>> calibration_networks(const std::vector<const space::Space*>& spaces,
                                                         int space_index, int networks, int64_t batch);

// Fits the model above on `specs` with their measured latencies (the
// entries of `free_class`, signature hash -> op class, free; every other
// entry fixed; networks with a configuration the table lacks left out) and
// rewrites the free entries in `lut`. With fewer than 4 usable networks
// nothing changes (networks = the count).
LatencyCalibration fit_calibration(std::span<const graph::NetworkSpec> specs, std::span<const double> measured_ms,
                                   const std::unordered_map<uint64_t, int>& free_class, LatencyTable& lut,
                                   double ridge = CalibrationOptions{}.ridge);

// Every op configuration of `specs` with its op class (a free_class map).
std::unordered_map<uint64_t, int> entry_classes(std::span<const graph::NetworkSpec> specs);

// Times the calibration networks, fits the model above with the entries of
// `recalibrate` (configurations measured in this run) as the free part and
// every other entry of `lut` as fixed, and rewrites the recalibrated entries
// in `lut`. A network with a configuration the table lacks is left out.
// With fewer than 4 usable networks nothing changes (networks = the count).
Result<LatencyCalibration> calibrate_latency_table(const std::vector<const space::Space*>& spaces,
                                                   std::span<const OpConfig> recalibrate, LatencyTable& lut,
                                                   const CalibrationOptions& options);

}  // namespace nas::hardware
