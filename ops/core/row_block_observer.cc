#include "ops/core/row_block_observer.h"

#include <algorithm>

#include "ops/core/parallel.h"
#include "ops/core/status.h"

namespace nas::ops {

RowBlockObserver::RowBlockObserver(int64_t rows, int64_t blocks, BlockFn fn)
    : rows_(rows), blocks_(blocks), fn_(std::move(fn)),
      remaining_(new std::atomic<int64_t>[static_cast<size_t>(blocks)]) {
  NAS_CHECK(blocks >= 1 && blocks <= rows);
  reset();
}

void RowBlockObserver::reset() {
  for (int64_t b = 0; b < blocks_; ++b)
    remaining_[b].store(block_end(b) - block_begin(b), std::memory_order_relaxed);
}

int64_t RowBlockObserver::block_of(int64_t row) const {
  int64_t b = std::min(blocks_ - 1, row * blocks_ / rows_);
  while (block_begin(b) > row) --b;
  while (block_end(b) <= row) ++b;
  return b;
}

void RowBlockObserver::report(int64_t row_begin, int64_t row_end) {
  NAS_CHECK(row_begin >= 0 && row_end <= rows_);
  if (row_begin >= row_end) return;
  for (int64_t b = block_of(row_begin); row_begin < row_end; ++b) {
    const int64_t e = std::min(row_end, block_end(b)), n = e - row_begin;
    // acq_rel: this thread's writes of the rows are released with its
    // decrement; the thread that brings the count to zero acquires them all.
    const int64_t before = remaining_[b].fetch_sub(n, std::memory_order_acq_rel);
    NAS_CHECK(before >= n);  // no row reported twice
    if (before == n) fn_(b, block_begin(b), block_end(b));
    row_begin = e;
  }
}

void RowBlockObserver::report_all() {
  parallel_for(blocks_, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) report(block_begin(b), block_end(b));
  });
}

bool RowBlockObserver::complete() const {
  for (int64_t b = 0; b < blocks_; ++b)
    if (remaining_[b].load(std::memory_order_acquire) != 0) return false;
  return true;
}

}  // namespace nas::ops
