#include "nas/hardware/profiler/timing_stats.h"

#include <gtest/gtest.h>

#include "nas/hardware/profiler/latency_validation.h"
#include "nas/hardware/profiler/run_delay.h"

namespace nas::hardware {
namespace {

TEST(TimingStats, MedianAndSpreadByInterpolation) {
  // Sorted: 1..11; median 6, p10 = 2, p90 = 10 -> spread 8/6.
  const TimingStats s = summarize_timings({11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(s.median_ms, 6);
  EXPECT_NEAR(s.spread_pct, 100.0 * 8 / 6, 1e-9);
  EXPECT_EQ(s.repeats, 11);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(summarize_timings({2.0}).spread_pct, 0);
}

TEST(TimingStats, TypicalMeanKeepsTheRightSkewDropsPreemptions) {
  // Median 2; 100 (> 3x the median) is a preemption and left out; the skew
  // (5) is kept: (1 + 2 + 2 + 5) / 4.
  const TimingStats s = summarize_timings({2, 1, 100, 5, 2});
  EXPECT_DOUBLE_EQ(s.median_ms, 2);
  EXPECT_DOUBLE_EQ(s.typical_mean_ms, 2.5);
  EXPECT_DOUBLE_EQ(summarize_timings({3.0}).typical_mean_ms, 3.0);
}

TEST(TimingStats, LowQuartileByInterpolation) {
  // Sorted 1..9: the 25th percentile sits at position 2 -> 3; disturbed
  // passes on the slow side do not move it.
  EXPECT_DOUBLE_EQ(summarize_timings({9, 1, 2, 3, 4, 5, 6, 7, 8}).low_quartile_ms, 3);
  EXPECT_DOUBLE_EQ(summarize_timings({3, 1, 2, 3, 400, 500, 600, 700, 800}).low_quartile_ms, 3);
}

TEST(RunDelay, UndisturbedPassAllowsTwoPercentOrFiveMicroseconds) {
  // 10 ms pass: up to 200 us of waiting is undisturbed.
  EXPECT_TRUE(undisturbed_pass(1'000, 1'000 + 200'000, 10.0));
  EXPECT_FALSE(undisturbed_pass(1'000, 1'000 + 200'001, 10.0));
  // 0.05 ms pass: the 5 us floor.
  EXPECT_TRUE(undisturbed_pass(0, 5'000, 0.05));
  EXPECT_FALSE(undisturbed_pass(0, 5'001, 0.05));
  // Unknown delays: not held against the pass.
  EXPECT_TRUE(undisturbed_pass(-1, 9'000'000, 0.05));
  // This process's threads have a readable figure on Linux, and it never decreases.
  const int64_t a = process_run_delay_ns();
  const int64_t b = process_run_delay_ns();
  EXPECT_GE(a, 0);
  EXPECT_GE(b, a);
}

TEST(Validation, KendallTauHandCounted) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // Pairs of {1,2,3} vs {1,3,2}: (1,2)+ (1,3)+ (2,3)- -> (2-1)/3.
  EXPECT_NEAR(kendall_tau({1, 2, 3}, {1, 3, 2}), 1.0 / 3, 1e-12);
  // A tie in one series: tau-b = (C - D) / sqrt((C+D+Ta)(C+D+Tb)); {1,1,2} vs {1,2,3}:
  // pairs (1,2): tie in a; (1,3)+; (2,3)+ -> 2 / sqrt(3 * 2).
  EXPECT_NEAR(kendall_tau({1, 1, 2}, {1, 2, 3}), 2 / std::sqrt(6.0), 1e-12);
  EXPECT_DOUBLE_EQ(kendall_tau({1}, {1}), 0);
}

TEST(Validation, SummaryCountsSharesAndErrors) {
  std::vector<ValidationRow> rows(4);
  const double measured[] = {1.0, 2.0, 4.0, 8.0}, predicted[] = {1.04, 2.16, 4.8, 8.0};
  for (int i = 0; i < 4; ++i) rows[i].measured_ms = measured[i], rows[i].predicted_ms = predicted[i];
  const ValidationSummary s = summarize_validation(rows);
  EXPECT_EQ(s.networks, 4);
  EXPECT_DOUBLE_EQ(s.within_5pct, 0.5);   // +4%, +0%
  EXPECT_DOUBLE_EQ(s.within_10pct, 0.75); // and +8%; +20% is out
  EXPECT_NEAR(s.rmse_ms, std::sqrt((0.04 * 0.04 + 0.16 * 0.16 + 0.8 * 0.8) / 4), 1e-12);
  EXPECT_NEAR(s.rmse_pct, 100 * std::sqrt((0.04 * 0.04 + 0.08 * 0.08 + 0.2 * 0.2) / 4), 1e-9);
  EXPECT_DOUBLE_EQ(s.kendall_tau, 1.0);
}

}  // namespace
}  // namespace nas::hardware
