#include "nas/hardware/profiler/run_delay.h"

#include <fstream>

namespace nas::hardware {

int64_t thread_run_delay_ns() {
  std::ifstream in("/proc/thread-self/schedstat");
  int64_t on_cpu = 0, waited = 0;
  if (in >> on_cpu >> waited) return waited;
  return -1;
}

}  // namespace nas::hardware
