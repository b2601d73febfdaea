// How long this process's threads have waited for a CPU while runnable
// (Linux schedstat run_delay, summed over threads). On a loaded machine a
// network's end-to-end time includes such waits while each op's median does
// not; `nas profile --validate` reports the waiting share next to its figures.
#pragma once

#include <cstdint>

namespace nas::hardware {

// Nanoseconds waited so far (threads that exited no longer count); -1 when
// /proc/self/task/*/schedstat cannot be read.
int64_t process_run_delay_ns();

}  // namespace nas::hardware
