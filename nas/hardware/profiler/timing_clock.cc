#include "nas/hardware/profiler/timing_clock.h"

#include <chrono>
#include <ctime>
#include <vector>

#include "nas/hardware/profiler/timing_stats.h"

namespace nas::hardware {
namespace {

double measure_read_cost(TimingClock clock) {
  std::vector<double> d;
  d.reserve(2001);
  for (int i = 0; i < 2001; ++i) {
    const double a = clock_now_ms(clock);
    d.push_back(clock_now_ms(clock) - a);
  }
  return median_of(std::move(d));
}

}  // namespace

double clock_now_ms(TimingClock clock) {
  if (clock == TimingClock::kThreadCpu) {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double clock_read_cost_ms(TimingClock clock) {
  static const double wall = measure_read_cost(TimingClock::kWall);
  static const double cpu = measure_read_cost(TimingClock::kThreadCpu);
  return clock == TimingClock::kThreadCpu ? cpu : wall;
}

}  // namespace nas::hardware
