// Times oneDNN's dnnl_sgemm (row-major, no transposes, beta 0) on each case.
// oneDNN from Debian uses OpenMP: threads are set with omp_set_num_threads.
#include <dnnl.h>
#include <omp.h>

#include <cstdio>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/gemm/gemm_args.h"

int main(int argc, char** argv) {
  using namespace nas;
  const bench::GemmBenchArgs args = bench::parse_gemm_args(argc, argv);
  omp_set_num_threads(args.threads);
  const dnnl_version_t* v = dnnl_version();
  std::fprintf(stderr, "dnnl_sgemm: oneDNN %d.%d.%d threads=%d\n", v->major, v->minor, v->patch,
               args.threads);
  for (const bench::GemmCase& c : args.cases) {
    std::vector<float> a(c.m * c.k), b(c.k * c.n), out(c.m * c.n);
    bench::fill_pattern(a, 1);
    bench::fill_pattern(b, 2);
    const double ms = bench::median_ms([&] {
      dnnl_sgemm('N', 'N', c.m, c.n, c.k, 1.0f, a.data(), c.k, b.data(), c.n, 0.0f, out.data(),
                 c.n);
    });
    std::printf("%s %.4f\n", c.label.c_str(), ms);
    std::fflush(stdout);
  }
  return 0;
}
