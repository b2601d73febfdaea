// FP32 FMA chains for measuring a machine's peak, one function per ISA, each
// compiled with its own flags (ops/CMakeLists.txt) and called only when the
// CPU has the ISA. Each runs `iters` steps of 12 independent FMA chains
// (enough to hide the FMA latency on current x86 cores) and returns a value
// depending on every chain, so the work cannot be optimised away. Used by
// `nas profile` (nas/hardware/profiler) and bench/common/peak_fma.
#pragma once

#include <cstdint>

namespace nas::ops {

// Floating-point operations per iteration of each loop (2 per FMA lane).
inline constexpr int64_t kFmaFlopsPerIterAvx512 = 12 * 16 * 2;
inline constexpr int64_t kFmaFlopsPerIterAvx2 = 12 * 8 * 2;
inline constexpr int64_t kFmaFlopsPerIterScalar = 12 * 2;

float fma_chains_avx512(int64_t iters, float seed);
float fma_chains_avx2(int64_t iters, float seed);
float fma_chains_scalar(int64_t iters, float seed);

}  // namespace nas::ops
