#include "ops/core/parallel.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "ops/core/status.h"

namespace nas::ops {
namespace {

struct Pool {
  int threads = std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<tbb::task_arena> arena = std::make_unique<tbb::task_arena>(threads);
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_num_threads(int n) {
  NAS_CHECK(n >= 1);
  Pool& p = pool();
  if (p.threads == n) return;
  p.threads = n;
  p.arena = std::make_unique<tbb::task_arena>(n);
}

int num_threads() { return pool().threads; }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_chunks = static_cast<int64_t>(num_threads()) * 4;
  const int64_t chunks = std::min(max_chunks, (n + grain - 1) / grain);
  if (chunks <= 1 || num_threads() == 1) {
    fn(0, n);
    return;
  }
  run_in_arena([&] {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, chunks, 1),
        [&](const tbb::blocked_range<int64_t>& r) {
          for (int64_t c = r.begin(); c != r.end(); ++c) {
            const int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
            if (b < e) fn(b, e);
          }
        },
        tbb::static_partitioner());
  });
}

void run_in_arena(const std::function<void()>& fn) { pool().arena->execute(fn); }

}  // namespace nas::ops
