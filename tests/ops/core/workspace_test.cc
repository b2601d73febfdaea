#include "ops/core/workspace.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace nas::ops {
namespace {

TEST(Workspace, AlignedAndReusedAfterReset) {
  Workspace ws;
  float* a = ws.alloc_floats(10);
  float* b = ws.alloc_floats(1000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
  EXPECT_NE(a, b);
  ws.reset();
  EXPECT_EQ(ws.alloc_floats(10), a);
}

TEST(Workspace, SteadyStateDoesNotGrow) {
  Workspace ws;
  for (int step = 0; step < 3; ++step) {
    ws.reset();
    ws.alloc_floats(1 << 17);
    ws.alloc_floats(1 << 18);  // forces a second block on the first step
  }
  const int64_t cap = ws.capacity_bytes();
  for (int step = 0; step < 3; ++step) {
    ws.reset();
    ws.alloc_floats(1 << 17);
    ws.alloc_floats(1 << 18);
  }
  EXPECT_EQ(ws.capacity_bytes(), cap);
}

TEST(Workspace, ScratchScopeReleasesOnExit) {
  float* first = nullptr;
  {
    ScratchScope s;
    first = s.alloc_floats(100);
  }
  ScratchScope s2;
  EXPECT_EQ(s2.alloc_floats(100), first);
}

}  // namespace
}  // namespace nas::ops
