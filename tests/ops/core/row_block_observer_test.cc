// RowBlockObserver: every block's callback runs exactly once, after all of
// its rows are reported, whatever the grouping, order and threads of the
// reports; the partition is the fixed one of its header.
#include "ops/core/row_block_observer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "ops/core/parallel.h"

namespace nas::ops {
namespace {

TEST(RowBlockObserver, PartitionCoversTheRowsInOrder) {
  RowBlockObserver o(1000, 7, [](int64_t, int64_t, int64_t) {});
  EXPECT_EQ(o.block_begin(0), 0);
  EXPECT_EQ(o.block_end(6), 1000);
  for (int64_t b = 0; b + 1 < 7; ++b) EXPECT_EQ(o.block_end(b), o.block_begin(b + 1));
  EXPECT_EQ(o.block_end(0), 1000 / 7);
}

TEST(RowBlockObserver, EachBlockRunsOnceWhenItsLastRowArrives) {
  const int64_t rows = 103, blocks = 6;
  std::vector<int> calls(blocks, 0);
  std::vector<int64_t> reported_before_call(blocks, -1);
  int64_t reported = 0;
  RowBlockObserver o(rows, blocks, [&](int64_t b, int64_t r0, int64_t r1) {
    ++calls[b];
    reported_before_call[b] = reported;
    EXPECT_EQ(r0, rows * b / blocks);
    EXPECT_EQ(r1, rows * (b + 1) / blocks);
  });
  // Backwards, in uneven pieces that straddle block boundaries.
  for (int64_t e = rows; e > 0;) {
    const int64_t b = std::max<int64_t>(0, e - 13);
    reported += e - b;
    o.report(b, e);
    e = b;
  }
  EXPECT_TRUE(o.complete());
  for (int64_t b = 0; b < blocks; ++b) {
    EXPECT_EQ(calls[b], 1) << b;
    EXPECT_GT(reported_before_call[b], 0) << b;
  }
  // The last block (rows 85..102) completes with the first piece [90, 103)
  // only after [77, 90) arrives: not before its row 85 is reported.
  EXPECT_EQ(reported_before_call[blocks - 1], 26);
}

TEST(RowBlockObserver, ResetRearmsAndIncompleteIsReported) {
  int calls = 0;
  RowBlockObserver o(10, 2, [&](int64_t, int64_t, int64_t) { ++calls; });
  o.report(0, 9);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(o.complete());
  o.report(9, 10);
  EXPECT_TRUE(o.complete());
  o.reset();
  EXPECT_FALSE(o.complete());
  o.report_all();
  EXPECT_TRUE(o.complete());
  EXPECT_EQ(calls, 4);
}

TEST(RowBlockObserver, ConcurrentReportsOnEveryThreadCount) {
  const int saved = num_threads();
  for (int t = 1; t <= 3; ++t) {
    set_num_threads(t);
    const int64_t rows = 5000, blocks = 37;
    std::vector<std::atomic<int>> calls(blocks);
    for (auto& c : calls) c = 0;
    RowBlockObserver o(rows, blocks, [&](int64_t b, int64_t, int64_t) { ++calls[b]; });
    parallel_for(rows, 7, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; r += 3) o.report(r, std::min(e, r + 3));
    });
    EXPECT_TRUE(o.complete());
    for (int64_t b = 0; b < blocks; ++b) EXPECT_EQ(calls[b].load(), 1) << t << " " << b;
  }
  set_num_threads(saved);
}

}  // namespace
}  // namespace nas::ops
