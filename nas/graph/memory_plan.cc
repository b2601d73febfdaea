#include "nas/graph/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace nas::graph {
namespace {
constexpr int64_t kAlign = 64;
int64_t align_up(int64_t b) { return (b + kAlign - 1) / kAlign * kAlign; }
bool overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}
}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
  const size_t n = requests.size();
  MemoryPlan plan;
  plan.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> placed;
  for (size_t i : order) {
    const int64_t size = align_up(requests[i].bytes);
    // Intervals [offset, offset+size) taken by buffers live at the same time.
    std::vector<std::pair<int64_t, int64_t>> taken;
    for (size_t j : placed)
      if (overlap(requests[i], requests[j]))
        taken.push_back({plan.offsets[j], plan.offsets[j] + align_up(requests[j].bytes)});
    std::sort(taken.begin(), taken.end());
    int64_t offset = 0;
    for (const auto& [b, e] : taken) {
      if (offset + size <= b) break;
      offset = std::max(offset, e);
    }
    plan.offsets[i] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back(i);
  }
  int last = 0;
  for (const BufferRequest& r : requests) last = std::max(last, r.last_step);
  for (int s = 0; s <= last && n > 0; ++s) {
    int64_t live = 0;
    for (const BufferRequest& r : requests)
      if (r.first_step <= s && s <= r.last_step) live += align_up(r.bytes);
    plan.live_bytes_bound = std::max(plan.live_bytes_bound, live);
  }
  return plan;
}

}  // namespace nas::graph
