// peak_fma: measures this machine's FP32 FMA peak (GFLOP/s) at 1 and at 2
// threads in the same run, for every SIMD ISA the CPU has, on the project's
// own thread pool. Every benchmark suite divides by these figures for its
// "% of peak" column. Output, one line each (parsed by bench/*/compare.sh):
//   peak_fma isa=<isa> threads=<t> gflops=<x>
//   peak_fma isa=best threads=<t> gflops=<x>      (max over ISAs)
#include <algorithm>
#include <cstdio>
#include <vector>

#include "bench/common/bench_timing.h"
#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/kernels/peak/fma_chains.h"

namespace {

using nas::ops::Isa;

// GFLOP/s of `threads` copies of the loop running at once (median of 7 runs
// of ~0.15 s each).
double measure(Isa isa, int threads) {
  nas::ops::set_num_threads(threads);
  const int64_t iters = 20'000'000;
  const int64_t flops_per_iter =
      isa == Isa::kAvx512 ? nas::ops::kFmaFlopsPerIterAvx512 : nas::ops::kFmaFlopsPerIterAvx2;
  std::vector<float> sink(threads);
  auto run = [&] {
    nas::ops::parallel_for(threads, 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t)
        sink[t] = isa == Isa::kAvx512 ? nas::ops::fma_chains_avx512(iters, 0.5f + t)
                                      : nas::ops::fma_chains_avx2(iters, 0.5f + t);
    });
  };
  nas::bench::TimingOptions opt;
  opt.samples = 7;
  opt.min_sample_s = 0.0;
  opt.warmup_s = 0.2;
  const double ms = nas::bench::median_ms(run, opt);
  if (sink[0] == 12345.0f) std::printf("#\n");  // keeps the results alive
  return static_cast<double>(flops_per_iter) * iters * threads / (ms * 1e6);
}

}  // namespace

int main() {
  std::vector<Isa> isas;
  if (nas::ops::cpu_supports(Isa::kAvx2)) isas.push_back(Isa::kAvx2);
  if (nas::ops::cpu_supports(Isa::kAvx512)) isas.push_back(Isa::kAvx512);
  if (isas.empty()) {
    std::fprintf(stderr,
                 "peak_fma: the CPU has neither AVX2+FMA nor AVX-512; no SIMD peak to measure\n");
    return 1;
  }
  for (int threads : {1, 2}) {
    double best = 0.0;
    for (Isa isa : isas) {
      const double g = measure(isa, threads);
      best = std::max(best, g);
      std::printf("peak_fma isa=%s threads=%d gflops=%.1f\n", nas::ops::isa_name(isa), threads, g);
      std::fflush(stdout);
    }
    std::printf("peak_fma isa=best threads=%d gflops=%.1f\n", threads, best);
    std::fflush(stdout);
  }
  return 0;
}
