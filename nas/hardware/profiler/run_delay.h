// How long the calling thread has waited for a CPU while runnable (Linux
// schedstat run_delay). On a loaded machine a network's end-to-end time
// includes such waits while each op's median does not; `nas profile
// --validate` reports the waiting share next to its figures. Only the
// calling thread (the one running the executor) is counted: idle pool
// workers that spin and yield would count as "waiting" without delaying
// anything.
#pragma once

#include <cstdint>

namespace nas::hardware {

// Nanoseconds waited so far by the calling thread; -1 when
// /proc/thread-self/schedstat cannot be read.
int64_t thread_run_delay_ns();

}  // namespace nas::hardware
