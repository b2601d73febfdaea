// Times OpenBLAS's cblas_sgemm (row-major, no transposes, beta 0) on each
// case, with its own pthreads pool set to --threads. Built against the
// pthreads variant (openblas-pthread/), whose cblas.h declares the
// openblas_* thread controls.
#include <cblas.h>

#include <cstdio>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/gemm/gemm_args.h"

int main(int argc, char** argv) {
  using namespace nas;
  const bench::GemmBenchArgs args = bench::parse_gemm_args(argc, argv);
  openblas_set_num_threads(args.threads);
  std::fprintf(stderr, "openblas: %s threads=%d\n", openblas_get_config(),
               openblas_get_num_threads());
  for (const bench::GemmCase& c : args.cases) {
    std::vector<float> a(c.m * c.k), b(c.k * c.n), out(c.m * c.n);
    bench::fill_pattern(a, 1);
    bench::fill_pattern(b, 2);
    const double ms = bench::median_ms([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.m, c.n, c.k, 1.0f, a.data(), c.k,
                  b.data(), c.n, 0.0f, out.data(), c.n);
    });
    std::printf("%s %.4f\n", c.label.c_str(), ms);
    std::fflush(stdout);
  }
  return 0;
}
