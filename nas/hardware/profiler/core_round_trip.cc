#include "nas/hardware/profiler/core_round_trip.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "nas/hardware/profiler/timing_stats.h"
#include "ops/core/status.h"
#include "ops/core/parallel.h"

namespace nas::hardware {
namespace {

using Clock = std::chrono::steady_clock;

// The ball and the handshake on cache lines of their own, so that only the
// ball's line travels during the timed round trips.
struct Court {
  alignas(64) std::atomic<int64_t> ball{0};
  alignas(64) std::atomic<int> arrived{0};
  std::atomic<bool> gave_up{false};
};

// Spins until pred() holds; false when the other side gave up or nothing
// happened for `patience` (the clock is read every 64 spins, so that reading
// it does not slow a round trip). With `yield`, each of those 64 spins also
// yields the CPU, for a partner that may be waiting for this very CPU.
template <typename Pred>
bool wait_for(Court& court, Clock::duration patience, bool yield, Pred pred) {
  Clock::time_point deadline{};
  for (uint32_t spin = 0;; ++spin) {
    if (pred()) return true;
    if (yield) sched_yield();
    if ((spin & 63) != 63) continue;
    if (court.gave_up.load(std::memory_order_relaxed)) return false;
    const Clock::time_point now = Clock::now();
    if (deadline == Clock::time_point{}) {
      deadline = now + patience;
    } else if (now > deadline) {
      court.gave_up.store(true, std::memory_order_relaxed);
      return false;
    }
  }
}

// Pins the calling thread to one CPU for its lifetime, then restores the
// thread's own mask (the pool's threads must not stay pinned).
class PinnedTo {
 public:
  explicit PinnedTo(int cpu) {
    saved_ = sched_getaffinity(0, sizeof old_, &old_) == 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = saved_ && sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~PinnedTo() {
    if (saved_) sched_setaffinity(0, sizeof old_, &old_);
  }
  PinnedTo(const PinnedTo&) = delete;
  PinnedTo& operator=(const PinnedTo&) = delete;
  bool pinned() const { return pinned_; }

 private:
  cpu_set_t old_;
  bool saved_ = false, pinned_ = false;
};

// One run: side 0, on cpus[0], serves `n` balls; side 1, on cpus[1],
// returns them. Both sides pin themselves first: left to the scheduler, on a
// loaded machine the pool's second thread is often woken on the first one's
// CPU and waits a whole time slice for it, and a round trip on one CPU is a
// context switch, not a cache-line transfer. Mean ns per round trip, or a
// negative value when a side gave up or could not be pinned.
double one_run(int n, const int cpus[2], const RoundTripOptions& o) {
  const auto ms = [](double v) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(v));
  };
  Court court;
  double ns = -1;
  ops::parallel_for(2, 1, [&](int64_t begin, int64_t end) {
    for (int64_t side = begin; side < end; ++side) {
      const PinnedTo pin(cpus[side]);
      if (!pin.pinned() || sched_getcpu() != cpus[side]) {
        court.gave_up.store(true);
        return;
      }
      court.arrived.fetch_add(1, std::memory_order_acq_rel);
      if (!wait_for(court, ms(o.start_patience_ms), /*yield=*/true,
                    [&] { return court.arrived.load(std::memory_order_acquire) == 2; }))
        return;
      const Clock::duration patience = ms(o.ball_patience_ms);
      if (side == 0) {
        const Clock::time_point t0 = Clock::now();
        for (int64_t i = 0; i < n; ++i) {
          court.ball.store(2 * i + 1, std::memory_order_release);
          if (!wait_for(court, patience, false, [&] { return court.ball.load(std::memory_order_acquire) == 2 * i + 2; }))
            return;
        }
        ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
      } else {
        for (int64_t i = 0; i < n; ++i) {
          if (!wait_for(court, patience, false, [&] { return court.ball.load(std::memory_order_acquire) == 2 * i + 1; }))
            return;
          court.ball.store(2 * i + 2, std::memory_order_release);
        }
      }
    }
  });
  return court.gave_up.load() ? -1 : ns;
}

// The first two CPUs this process may run on; false when fewer.
bool two_cpus(int cpus[2]) {
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) return false;
  int found = 0;
  for (int c = 0; c < CPU_SETSIZE && found < 2; ++c)
    if (CPU_ISSET(c, &mask)) cpus[found++] = c;
  return found == 2;
}

}  // namespace

CoreRoundTrip measure_core_round_trip(const RoundTripOptions& options) {
  NAS_CHECK(options.round_trips >= 1 && options.answered >= 1 && options.max_runs >= 1 &&
            options.start_patience_ms > 0 && options.ball_patience_ms > 0);
  CoreRoundTrip out;
  if (ops::num_threads() < 2) return out;
  const Clock::time_point start = Clock::now();
  int cpus[2];
  if (!two_cpus(cpus)) return out;
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(options.budget_ms));
  std::vector<double> answered;
  while (out.runs < options.max_runs && static_cast<int>(answered.size()) < options.answered &&
         (out.runs == 0 || Clock::now() < end)) {
    ++out.runs;
    const double ns = one_run(options.round_trips, cpus, options);
    if (ns > 0) answered.push_back(ns);
  }
  out.answered = static_cast<int>(answered.size());
  if (!answered.empty()) out.ns = median_of(answered);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace nas::hardware
