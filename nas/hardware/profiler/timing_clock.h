// The clock a measurement reads. Wall time is what a user waits for. The
// calling thread's CPU time leaves out the time the thread waited for a CPU,
// so on a loaded machine it still measures what an unloaded one would show
// as wall time, provided the work runs on that one thread (--threads 1).
#pragma once

namespace nas::hardware {

enum class TimingClock { kWall, kThreadCpu };

// Milliseconds on `clock` from an arbitrary origin.
double clock_now_ms(TimingClock clock);

// What one reading costs, as seen between two back-to-back readings (median
// of many; measured once per process and clock). Subtracted from short
// intervals so that a clock slower to read (the thread CPU clock may need a
// system call) does not inflate microsecond-long ops.
double clock_read_cost_ms(TimingClock clock);

}  // namespace nas::hardware
