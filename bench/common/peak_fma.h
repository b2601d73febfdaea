// FP32 FMA throughput loops, one per ISA, each compiled with its own flags.
// Each runs `iters` steps of independent FMA chains (enough accumulators to
// hide the FMA latency on any current x86 core) and returns a value that
// depends on every chain, so the work cannot be optimised away.
#pragma once

#include <cstdint>

namespace nas::bench {

// Floating-point operations per iteration of each loop (2 per FMA lane).
inline constexpr int64_t kFlopsPerIterAvx2 = 12 * 8 * 2;
inline constexpr int64_t kFlopsPerIterAvx512 = 12 * 16 * 2;

float fma_loop_avx2(int64_t iters, float seed);
float fma_loop_avx512(int64_t iters, float seed);

}  // namespace nas::bench
