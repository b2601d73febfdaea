#include "nas/graph/memory_plan.h"

#include <gtest/gtest.h>

namespace nas::graph {
namespace {

TEST(MemoryPlan, ChainReusesTwoBuffers) {
  // a -> b -> c -> d, each 256 bytes, each live from its step to its reader's.
  std::vector<BufferRequest> r = {{256, 0, 1}, {256, 1, 2}, {256, 2, 3}, {256, 3, 3}};
  MemoryPlan p = plan_memory(r);
  EXPECT_EQ(p.arena_bytes, 512);
  EXPECT_EQ(p.live_bytes_bound, 512);
  EXPECT_NE(p.offsets[0], p.offsets[1]);
  EXPECT_EQ(p.offsets[0], p.offsets[2]);
}

TEST(MemoryPlan, AlignsTo64AndKeepsOverlappingApart) {
  std::vector<BufferRequest> r = {{10, 0, 5}, {100, 0, 5}, {1, 6, 7}};
  MemoryPlan p = plan_memory(r);
  EXPECT_EQ(p.arena_bytes, 128 + 64);
  for (int64_t o : p.offsets) EXPECT_EQ(o % 64, 0);
  EXPECT_EQ(p.offsets[2], 0);  // reuses the freed space
}

TEST(MemoryPlan, NeverOverlapsLiveBuffers) {
  std::vector<BufferRequest> r;
  for (int i = 0; i < 40; ++i) r.push_back({64 * (1 + (i * 7) % 5), i % 9, i % 9 + (i % 4)});
  MemoryPlan p = plan_memory(r);
  for (size_t i = 0; i < r.size(); ++i)
    for (size_t j = i + 1; j < r.size(); ++j) {
      const bool live = r[i].first_step <= r[j].last_step && r[j].first_step <= r[i].last_step;
      const bool mem = p.offsets[i] < p.offsets[j] + r[j].bytes && p.offsets[j] < p.offsets[i] + r[i].bytes;
      ASSERT_FALSE(live && mem) << i << " " << j;
    }
  EXPECT_GE(p.arena_bytes, p.live_bytes_bound);
}

}  // namespace
}  // namespace nas::graph
