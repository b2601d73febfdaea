// How long threads have waited for a CPU while runnable (Linux schedstat
// run_delay). On a loaded machine a network's end-to-end time includes such
// waits while each op's median does not; `nas profile --validate` reports
// the calling thread's waiting share next to its figures, and the timers
// (network_timer.h, in_network_measurement.h) use the whole process's
// figure to tell an undisturbed pass from one during which another process
// took a CPU from one of ours.
#pragma once

#include <cstdint>

namespace nas::hardware {

// Nanoseconds waited so far by the calling thread; -1 when
// /proc/thread-self/schedstat cannot be read.
int64_t thread_run_delay_ns();

// Nanoseconds waited so far by all threads of this process (the executor's
// thread and the pool's workers: /proc/self/task/*/schedstat); -1 when
// unreadable. A pool worker that spins and yields accumulates delay only
// when another process's thread was runnable on its CPU, so a pass during
// which this grows was shared with another process.
int64_t process_run_delay_ns();

// True when a pass of `pass_ms` whose process run delay grew from
// `delay_before` to `delay_after` ran undisturbed: the growth is at most 2%
// of the pass (at least 5 us). Unknown delays (-1) count as undisturbed.
bool undisturbed_pass(int64_t delay_before, int64_t delay_after, double pass_ms);

}  // namespace nas::hardware
