// Measures op configurations inside the networks they occur in (see
// node_timing_executor.h for why not alone), and the executor's own cost per
// node. Each wanted configuration is measured in its origin network (the
// first network of its space found to contain it); every network measured
// also contributes samples to the other wanted configurations it contains,
// so a common configuration's figure is pooled over many networks.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "nas/hardware/latency_table.h"
#include "nas/hardware/profiler/op_configs.h"
#include "nas/hardware/profiler/timing_clock.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct InNetworkOptions {
  int64_t batch = 1;
  int warmup = 2;    // untimed passes per network (>= 1: the conv autotuner's first calls)
  int repeats = 10;  // timed passes per network, over all sweeps (>= 1)
  // The networks are run this many times over, each time with
  // repeats / sweeps timed passes (rounded up): a burst of load from
  // elsewhere then touches a fraction of a configuration's samples instead
  // of all of them.
  int sweeps = 2;
  // How many of the networks measured also time the executor itself
  // (Network::forward) to find its per-node overhead.
  int overhead_networks = 8;
  uint64_t seed = 0;  // parameter and input values
  // kThreadCpu: node times are the executor thread's CPU time (timing_clock.h;
  // meaningful with one thread); the executor overhead is then not measured.
  TimingClock clock = TimingClock::kWall;
};

struct InNetworkMeasurement {
  // One entry per wanted configuration, in order: median and (p90 - p10) /
  // median of all its samples, repeats = the number of samples.
  std::vector<LatencyEntry> entries;
  int networks = 0;  // networks run
  // The executor's cost per node beyond its ops' own time: median over the
  // overhead networks' passes of (Network::forward - sum of node times) /
  // nodes, in us; negative values are kept (timing noise); < 0 samples = none.
  double per_layer_us = 0;
  int overhead_samples = 0;
};

// REQUIRES: every config has an origin (space_index into `spaces`). When
// `wanted` is empty, runs the origin networks of the first `probe` configs
// only to measure the executor overhead. progress(done) after each network,
// done = wanted configurations measured so far.
Result<InNetworkMeasurement> measure_in_networks(const std::vector<const space::Space*>& spaces,
                                                std::span<const OpConfig> wanted,
                                                std::span<const OpConfig> probe,
                                                const InNetworkOptions& options,
                                                const std::function<void(int64_t)>& progress = {});

}  // namespace nas::hardware
