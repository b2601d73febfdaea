#include "nas/hardware/profiler/machine_peaks.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <vector>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/core/tensor.h"
#include "ops/kernels/peak/fma_chains.h"

namespace nas::hardware {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_of(const std::function<void()>& fn) {
  const auto t0 = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

MachinePeaks measure_machine_peaks(int runs) {
  MachinePeaks out;
  const int threads = ops::num_threads();
  // The ISA the CPU has, not the one NAS_ISA pins kernels to: a peak is a property of the machine.
  float (*chains)(int64_t, float) = ops::fma_chains_scalar;
  int64_t flops_per_iter = ops::kFmaFlopsPerIterScalar;
  if (ops::cpu_supports(ops::Isa::kAvx512)) {
    chains = ops::fma_chains_avx512;
    flops_per_iter = ops::kFmaFlopsPerIterAvx512;
    out.isa = "avx512";
  } else if (ops::cpu_supports(ops::Isa::kAvx2)) {
    chains = ops::fma_chains_avx2;
    flops_per_iter = ops::kFmaFlopsPerIterAvx2;
    out.isa = "avx2";
  }
  const int64_t iters = int64_t{1'500'000'000} / flops_per_iter;  // 1.5 GFLOP a thread a run
  std::vector<float> sink(threads);
  auto fma_run = [&] {
    ops::parallel_for(threads, 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) sink[t] = chains(iters, 0.5f + static_cast<float>(t));
    });
  };
  fma_run();  // warm-up: wakes the workers, settles the clock
  std::vector<double> gflops;
  for (int r = 0; r < runs; ++r)
    gflops.push_back(static_cast<double>(flops_per_iter) * iters * threads / seconds_of(fma_run) / 1e9);
  out.fp32_gflops = *std::max_element(gflops.begin(), gflops.end());

  const int64_t n = int64_t{16} << 20;  // 64 MiB per array
  auto a = ops::allocate_floats(n), b = ops::allocate_floats(n), c = ops::allocate_floats(n);
  // First touch from the workers that will read them (and out of the timing).
  ops::parallel_for(n, 1 << 16, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) a[i] = 0.0f, b[i] = 1.0f, c[i] = 2.0f;
  });
  const float s = 3.0f;
  auto triad = [&] {
    ops::parallel_for(n, 1 << 16, [&](int64_t lo, int64_t hi) {
      float* pa = a.get();
      const float* pb = b.get();
      const float* pc = c.get();
      for (int64_t i = lo; i < hi; ++i) pa[i] = pb[i] + s * pc[i];
    });
  };
  triad();
  std::vector<double> gbs;
  for (int r = 0; r < runs; ++r) gbs.push_back(3.0 * 4.0 * static_cast<double>(n) / seconds_of(triad) / 1e9);
  out.bandwidth_gbs = *std::max_element(gbs.begin(), gbs.end());
  if (sink[0] == 12345.0f || a[n / 2] == 12345.0f) out.fp32_gflops += 0;  // keeps the results alive
  return out;
}

}  // namespace nas::hardware
