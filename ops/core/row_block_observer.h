// RowBlockObserver: hands each block of a fixed row partition of a tensor to
// a consumer's callback as soon as the op producing the tensor has written
// all of the block's rows, while they are still in cache. The executor uses
// it to gather BatchNorm's statistics in the conv that writes BN's input (and
// BN's gradient sums in the conv backward-data that writes BN's output
// gradient): one trip to memory fewer for each.
//
// The partition depends only on (rows, blocks), never on the thread count or
// on how the producer splits its work, and each block's callback sees the
// whole block: results computed per block are the same whichever thread ran
// it and in whatever order the blocks completed.
//
// Protocol: reset() before the producer runs; the producer reports every row
// exactly once (report(), from any threads, in any order and grouping; or
// report_all() when it cannot report in cache); the callback of a block runs
// on the thread whose report completes it, after every write of the block's
// rows by the reporting threads is visible to it (release/acquire counters).
// REQUIRES: the producer's stores to a row are ordinary (or fenced streaming)
// stores made before it reports the row.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace nas::ops {

class RowBlockObserver {
 public:
  // fn(block, row_begin, row_end) for each block [row_begin, row_end).
  using BlockFn = std::function<void(int64_t block, int64_t row_begin, int64_t row_end)>;

  // Blocks b in [0, blocks) cover rows [rows*b/blocks, rows*(b+1)/blocks).
  // REQUIRES: 1 <= blocks <= rows.
  RowBlockObserver(int64_t rows, int64_t blocks, BlockFn fn);
  RowBlockObserver(const RowBlockObserver&) = delete;
  RowBlockObserver& operator=(const RowBlockObserver&) = delete;

  int64_t rows() const { return rows_; }
  int64_t blocks() const { return blocks_; }
  int64_t block_begin(int64_t b) const { return rows_ * b / blocks_; }
  int64_t block_end(int64_t b) const { return rows_ * (b + 1) / blocks_; }

  // Every block pending again. Not concurrent with report().
  void reset();
  // Rows [row_begin, row_end) are written. Thread-safe.
  void report(int64_t row_begin, int64_t row_end);
  // Reports every row, blocks in parallel: for producers that wrote the
  // whole tensor without reporting (the result is the same, only later).
  // REQUIRES: no row reported since reset().
  void report_all();
  // True when every block's callback has run since reset().
  bool complete() const;

 private:
  int64_t block_of(int64_t row) const;

  int64_t rows_, blocks_;
  BlockFn fn_;
  std::unique_ptr<std::atomic<int64_t>[]> remaining_;  // rows not yet reported, per block
};

}  // namespace nas::ops
