// Times whole networks end to end with the executor (nas/graph/network.h):
// inference mode, the project's kernels, warm-up, repeats interleaved over
// many networks. What `nas profile --validate` compares the cost model's
// predictions with, and what the profiler calibrates its table on
// (latency_calibration.h): both read a network's latency as the low
// quartile of its passes (timing_stats.h).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "nas/graph/network_spec.h"
#include "nas/hardware/profiler/timing_clock.h"
#include "nas/hardware/profiler/timing_stats.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct NetworkTimingOptions {
  int warmup = 3;    // untimed forwards first (>= 1: the conv autotuner's first calls)
  int repeats = 10;  // timed forwards; the median is the latency (>= 1)
  // Each timed forward follows this many untimed ones of the same network,
  // so it runs as a network served repeatedly does (its weights in cache
  // as far as they fit) even though networks are interleaved.
  int settle = 1;
  // The clock each forward is timed on (timing_clock.h): kThreadCpu leaves
  // out the time the thread waited for a CPU on a loaded machine; it stands
  // for an unloaded machine's wall time only with ops::num_threads() == 1.
  TimingClock clock = TimingClock::kWall;
  // Networks measured together (interleaved, one forward each per round)
  // hold at most this many bytes of parameters and activations.
  // Large, so that a network's passes spread over tens of seconds (many
  // networks between two of its passes) and a burst of load from elsewhere
  // touches a few of each network's passes rather than all of one group's.
  int64_t group_bytes = int64_t{1} << 30;
  // The groups are run this many times over (networks created again each
  // time, one warm-up pass after the first sweep), each time with
  // repeats / sweeps timed passes (rounded up): a network's passes then
  // come from moments far apart, and a burst of load that lasts as long as
  // one group's timing touches only part of them.
  int sweeps = 3;
  // A pass during which another process took a CPU from one of this
  // process's threads (run_delay.h) measures the neighbours as much as the
  // network: it is set apart, and a network with fewer undisturbed passes
  // than planned in a sweep gets up to extra_rounds * (its passes per
  // sweep) more.
  int extra_rounds = 2;
  // After the sweeps, up to this many more over only the networks still
  // short of kMinUndisturbed undisturbed passes (load from elsewhere comes
  // in bursts: later, the same network often runs undisturbed).
  int retry_sweeps = 2;
};

// A network's figures come from its undisturbed passes when it has at least
// this many, else from all its passes (TimingStats::undisturbed is then 0).
inline constexpr int kMinUndisturbed = 3;

// Times each spec (in order). progress(done) after each group of each sweep,
// done counting networks over all sweeps (of specs.size() * sweeps). When
// `waiting_share` is given, it receives the share of the timing's wall time
// the calling thread spent runnable but waiting for a CPU (run_delay.h; -1
// when unknown). When `group_of` is given, it receives each spec's group
// (0, 1, ...: consecutive specs, the same in every regular sweep): networks
// of one group are timed in the same rounds, so they met the same moments
// (and the same machine state); networks of different groups did not. The
// error names the network that could not be created.
Result<std::vector<TimingStats>> time_networks(std::span<const graph::NetworkSpec> specs,
                                               const NetworkTimingOptions& options,
                                               const std::function<void(int64_t)>& progress = {},
                                               double* waiting_share = nullptr, std::vector<int>* group_of = nullptr);

}  // namespace nas::hardware
