// Summary of repeated timings: the median is the figure, (p90 - p10) / median
// the noise.
#pragma once

#include <vector>

namespace nas::hardware {

struct TimingStats {
  double median_ms = 0;
  // Mean of the samples at most 3x the median: what a node adds to a
  // network's time on average (per-node times are skewed right, so a sum of
  // medians falls short of the network's time), without rare preemptions.
  double typical_mean_ms = 0;
  // The 25th percentile: a whole network's latency as `nas profile
  // --validate` and the calibration read it. Load from other processes (and
  // a second vCPU taken by them) only adds time, so the fast quarter of the
  // passes is what the network costs when this machine is not disturbed;
  // a median sits wherever the share of disturbed passes puts it.
  double low_quartile_ms = 0;
  double spread_pct = 0;  // (p90 - p10) / median * 100
  int repeats = 0;
  // Set by the network timer: how many of the samples were undisturbed
  // passes (run_delay.h); 0 when too few were and all passes count.
  int undisturbed = 0;
};

// REQUIRES: samples not empty. Percentiles by linear interpolation.
TimingStats summarize_timings(std::vector<double> samples_ms);

// The median of any values. REQUIRES: not empty.
double median_of(std::vector<double> values);

// The q-quantile (q in [0, 1]) of sorted values, linear interpolation. REQUIRES: not empty.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace nas::hardware
