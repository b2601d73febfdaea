#include "nas/hardware/profiler/timing_stats.h"

#include <algorithm>
#include <cmath>

#include "ops/core/status.h"

namespace nas::hardware {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  NAS_CHECK(!sorted.empty());
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return quantile_sorted(values, 0.5);
}

TimingStats summarize_timings(std::vector<double> samples_ms) {
  NAS_CHECK(!samples_ms.empty());
  std::sort(samples_ms.begin(), samples_ms.end());
  TimingStats s;
  s.repeats = static_cast<int>(samples_ms.size());
  s.median_ms = quantile_sorted(samples_ms, 0.5);
  s.low_quartile_ms = quantile_sorted(samples_ms, 0.25);
  double sum = 0;
  int n = 0;
  for (double v : samples_ms) {
    if (v > 3 * s.median_ms) break;  // sorted: the rest are outliers too
    sum += v;
    ++n;
  }
  s.typical_mean_ms = n > 0 ? sum / n : s.median_ms;
  if (s.median_ms > 0)
    s.spread_pct = 100.0 * (quantile_sorted(samples_ms, 0.9) - quantile_sorted(samples_ms, 0.1)) / s.median_ms;
  return s;
}

}  // namespace nas::hardware
