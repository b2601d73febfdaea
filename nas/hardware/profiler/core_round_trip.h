// The core-to-core round trip: two of the pool's threads bounce one cache
// line, and the time of a round trip says how far apart their CPUs are.
//
// On this VM it is the cheap detector of the machine's state
// (docs/profiling.md, "Machine state at search time"): 2-thread networks
// slow down 1.6-2.2x when the two vCPUs are far apart (another core complex),
// and the round trip then reads ~330 ns instead of ~65-90 ns, in a
// millisecond, while long FMA loops see nothing. It tells that the state
// changed, not by how much networks slowed (that differs by space), so the
// re-check (machine_state_tracker.h) uses it only to decide whether to
// re-time networks.
#pragma once

#include <optional>

namespace nas::hardware {

struct RoundTripOptions {
  int round_trips = 200;  // per run; 15-70 us a run on this VM
  // Runs until `answered` runs got through, or `max_runs` were tried, or
  // `budget_ms` is spent; the median answered run is the figure.
  int answered = 5;
  int max_runs = 40;
  double budget_ms = 50;
  // How long a side waits for the other to start a run: the other thread
  // may wait for a CPU (another process holds it) for a scheduler slice.
  double start_patience_ms = 10;
  // How long a side waits for the ball once both run: longer means the
  // other was preempted mid-run, whose figure would then be the preemption's;
  // the run is dropped.
  double ball_patience_ms = 0.2;
};

struct CoreRoundTrip {
  double ns = 0;     // median over the answered runs of their mean round trip; 0 when none
  int runs = 0;      // runs tried
  int answered = 0;  // runs in which both sides kept bouncing
  double seconds = 0;
};

// The round trip between two of the pool's threads; `answered` < options
// .answered when the other thread was too often away (a loaded machine), and
// 0 runs with fewer than two threads in the pool (ops::num_threads()). Runs
// on the project's arena (two chunks of a parallel_for, no thread of its
// own); about budget_ms at most (plus one run). Not for a parallel region.
CoreRoundTrip measure_core_round_trip(const RoundTripOptions& options = {});

}  // namespace nas::hardware
