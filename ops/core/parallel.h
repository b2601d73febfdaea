// One thread pool (a TBB task_arena) for every kernel and for candidate
// evaluation: two pools on two cores fight. Partitions are static so that
// reductions split the same way on every run (determinism).
#pragma once

#include <cstdint>
#include <functional>

namespace nas::ops {

// Sets the number of worker threads used from now on (>= 1). Not to be
// called while a parallel region is running.
void set_num_threads(int n);
// The configured thread count; defaults to the hardware concurrency.
int num_threads();

// Runs fn(begin, end) over [0, n) split into at most num_threads()*4 chunks
// of at least `grain` items, with a static, deterministic partition. Blocks
// until done. fn must not throw.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn() inside the project's arena (so nested TBB calls use its threads).
void run_in_arena(const std::function<void()>& fn);

}  // namespace nas::ops
