#include "ops/core/parallel.h"

#include <gtest/gtest.h>

#include <vector>

namespace nas::ops {
namespace {

TEST(Parallel, CoversRangeExactlyOnce) {
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    std::vector<int> hits(1001, 0);
    parallel_for(1001, 7, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i] += 1;
    });
    for (int h : hits) ASSERT_EQ(h, 1);
  }
}

TEST(Parallel, PartitionIsDeterministic) {
  set_num_threads(2);
  auto chunks = [] {
    std::vector<int64_t> starts(100, -1);
    parallel_for(100, 1, [&](int64_t b, int64_t e) { starts[b] = e; });
    return starts;
  };
  EXPECT_EQ(chunks(), chunks());
}

}  // namespace
}  // namespace nas::ops
