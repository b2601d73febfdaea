// Liveness-based placement of buffers in one arena: buffers whose lifetimes
// do not overlap share bytes. Pure algorithm, no allocation of the arena.
#pragma once

#include <cstdint>
#include <vector>

namespace nas::graph {

struct BufferRequest {
  int64_t bytes = 0;
  int first_step = 0;  // inclusive
  int last_step = 0;   // inclusive
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per request, 64-byte aligned
  int64_t arena_bytes = 0;       // the arena the plan needs: its exact peak
  int64_t live_bytes_bound = 0;  // max over steps of the (aligned) bytes live: a lower bound
};

// Greedy placement (largest first, lowest offset that fits among buffers live
// at the same time). Deterministic.
MemoryPlan plan_memory(const std::vector<BufferRequest>& requests);

}  // namespace nas::graph
