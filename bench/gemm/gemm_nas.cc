// Times the project's sgemm (row-major, no transposes, beta 0) on each case.
// NAS_ISA pins the kernel family; --threads sets the TBB arena size.
#include <cstdio>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/gemm/gemm_args.h"
#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/gemm/sgemm.h"

int main(int argc, char** argv) {
  using namespace nas;
  const bench::GemmBenchArgs args = bench::parse_gemm_args(argc, argv);
  ops::set_num_threads(args.threads);
  std::fprintf(stderr, "nas sgemm: isa=%s threads=%d\n", ops::isa_name(ops::cpu_features().best),
               args.threads);
  for (const bench::GemmCase& c : args.cases) {
    std::vector<float> a(c.m * c.k), b(c.k * c.n), out(c.m * c.n);
    bench::fill_pattern(a, 1);
    bench::fill_pattern(b, 2);
    const double ms =
        bench::median_ms([&] { ops::sgemm(c.m, c.n, c.k, a.data(), b.data(), out.data()); });
    std::printf("%s %.4f\n", c.label.c_str(), ms);
    std::fflush(stdout);
  }
  return 0;
}
