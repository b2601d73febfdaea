// Timing helpers shared by every benchmark program: median of repeated
// samples after a warm-up, each sample long enough for the clock to resolve.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace nas::bench {

inline double now_s() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

struct TimingOptions {
  int samples = 11;             // medians over this many samples
  double min_sample_s = 0.010;  // each sample repeats the call until this long
  double warmup_s = 0.10;       // untimed calls first (page faults, caches, thread wake-up)
};

// Median milliseconds per call of fn().
template <typename Fn>
double median_ms(Fn&& fn, const TimingOptions& opt = {}) {
  const double warm_end = now_s() + opt.warmup_s;
  int calls = 0;
  double t0 = now_s();
  do {
    fn();
    ++calls;
  } while (now_s() < warm_end || calls < 2);
  const double per_call = (now_s() - t0) / calls;
  const int iters = std::max(1, static_cast<int>(opt.min_sample_s / std::max(per_call, 1e-9)));
  std::vector<double> ms;
  for (int s = 0; s < opt.samples; ++s) {
    const double start = now_s();
    for (int i = 0; i < iters; ++i) fn();
    ms.push_back((now_s() - start) * 1e3 / iters);
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// Parses "MxNxK" into three integers; exits with a message otherwise.
inline void parse_mnk(const char* s, long& m, long& n, long& k) {
  if (std::sscanf(s, "%ldx%ldx%ld", &m, &n, &k) != 3 || m < 1 || n < 1 || k < 1) {
    std::fprintf(stderr, "error: expected a case MxNxK, got '%s'\n", s);
    std::exit(2);
  }
}

// Deterministic pseudo-random fill in [-1, 1).
inline void fill_pattern(std::span<float> v, unsigned seed) {
  unsigned x = seed * 2654435761u + 1;
  for (float& f : v) {
    x = x * 1664525u + 1013904223u;
    f = static_cast<float>(x >> 8) / 8388608.0f - 1.0f;
  }
}

}  // namespace nas::bench
