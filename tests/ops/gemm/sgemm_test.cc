// sgemm (the blocked driver) against the reference triple loop, for every
// ISA this CPU supports: sizes around each kernel's tile and the blocking,
// all four transposes, alpha / beta, padded leading dimensions, beta == 0
// over NaN, k == 0, m or n == 0, bit-identical results on 1 and 2 threads and
// with parallel = false, and no scratch growth in steady state.
#include "ops/gemm/sgemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/kernels/gemm/gemm_f32_kernels.h"

namespace nas::ops {
namespace {

struct Problem {
  Trans ta = Trans::kNo, tb = Trans::kNo;
  int64_t m = 0, n = 0, k = 0;
  int64_t pad = 0;  // extra floats on every leading dimension
  float alpha = 1.0f, beta = 0.0f;
};

struct Buffers {
  std::vector<float> a, b, c;
  GemmArgs args;
};

// Random A and B stored as the transposes say, C padded on the right with a
// sentinel that must survive, and C's entries NaN when beta == 0.
Buffers make(const Problem& p, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Buffers bf;
  GemmArgs& g = bf.args;
  g.trans_a = p.ta;
  g.trans_b = p.tb;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  g.alpha = p.alpha;
  g.beta = p.beta;
  const int64_t a_rows = p.ta == Trans::kNo ? p.m : p.k, a_cols = p.ta == Trans::kNo ? p.k : p.m;
  const int64_t b_rows = p.tb == Trans::kNo ? p.k : p.n, b_cols = p.tb == Trans::kNo ? p.n : p.k;
  g.lda = a_cols + p.pad;
  g.ldb = b_cols + p.pad;
  g.ldc = p.n + p.pad;
  bf.a.assign(std::max<int64_t>(a_rows * g.lda, 1), 0.0f);
  bf.b.assign(std::max<int64_t>(b_rows * g.ldb, 1), 0.0f);
  bf.c.assign(std::max<int64_t>(p.m * g.ldc, 1), -555.0f);
  for (float& x : bf.a) x = u(rng);
  for (float& x : bf.b) x = u(rng);
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j)
      bf.c[i * g.ldc + j] = p.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : u(rng);
  g.a = bf.a.data();
  g.b = bf.b.data();
  g.c = bf.c.data();
  return bf;
}

std::string describe(const Problem& p, Isa isa) {
  return std::string(isa_name(isa)) + " m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
         " k=" + std::to_string(p.k) + " ta=" + std::to_string(int(p.ta)) +
         " tb=" + std::to_string(int(p.tb)) + " pad=" + std::to_string(p.pad) +
         " alpha=" + std::to_string(p.alpha) + " beta=" + std::to_string(p.beta);
}

void expect_matches_reference(const Problem& p, Isa isa) {
  Buffers got = make(p, 11), want = make(p, 11);
  sgemm_isa(isa, got.args);
  sgemm_reference(want.args);
  const GemmArgs& g = got.args;
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < g.ldc; ++j) {
      const float x = got.c[i * g.ldc + j], y = want.c[i * g.ldc + j];
      if (j >= p.n) {
        ASSERT_EQ(x, -555.0f) << describe(p, isa) << ": wrote past n at " << i << "," << j;
        continue;
      }
      ASSERT_TRUE(std::isfinite(x)) << describe(p, isa) << " at " << i << "," << j;
      const float tol = 2e-6f * (p.k + 4) * (std::fabs(p.alpha) + std::fabs(p.beta) + 1.0f);
      ASSERT_NEAR(x, y, tol) << describe(p, isa) << " at " << i << "," << j;
    }
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (cpu_supports(isa)) out.push_back(isa);
  return out;
}

// The tile sizes of this ISA's kernels (M and N are tested around each).
std::vector<int64_t> tile_sizes(Isa isa, bool rows) {
  std::vector<int64_t> out;
  for (const kernels::GemmF32Kernel& k : kernels::gemm_f32_kernels())
    if (k.isa == isa) out.push_back(rows ? k.mr : k.nr);
  return out;
}

TEST(Sgemm, MatchesReferenceAroundTilesAllTransposes) {
  for (Isa isa : supported_isas()) {
    std::vector<int64_t> ms = {1, 37}, ns = {1, 45};
    for (int64_t t : tile_sizes(isa, true)) ms.insert(ms.end(), {t - 1, t, t + 1});
    for (int64_t t : tile_sizes(isa, false)) ns.insert(ns.end(), {t - 1, t, t + 1});
    for (Trans ta : {Trans::kNo, Trans::kYes})
      for (Trans tb : {Trans::kNo, Trans::kYes})
        for (int64_t m : ms)
          for (int64_t n : ns)
            for (int64_t k : {1, 17}) {
              Problem p{ta, tb, m, n, k, 0, 1.0f, 0.0f};
              expect_matches_reference(p, isa);
              if (HasFatalFailure()) return;
            }
  }
}

TEST(Sgemm, AlphaBetaAndPaddedLeadingDimensions) {
  for (Isa isa : supported_isas())
    for (Trans ta : {Trans::kNo, Trans::kYes})
      for (Trans tb : {Trans::kNo, Trans::kYes})
        for (auto [alpha, beta] :
             {std::pair{1.0f, 1.0f}, {2.0f, 0.5f}, {-1.5f, 0.0f}, {0.25f, -2.0f}}) {
          expect_matches_reference({ta, tb, 29, 53, 31, 3, alpha, beta}, isa);
          expect_matches_reference({ta, tb, 64, 33, 9, 7, alpha, beta}, isa);
          if (HasFatalFailure()) return;
        }
}

// Crosses the k blocking (later k blocks accumulate into C), the N blocking,
// both B paths (read in place for short M, packed for tall M) and, when run
// with 2 threads, the shared packed A of tall problems.
TEST(Sgemm, MatchesReferenceAcrossBlocks) {
  for (Isa isa : supported_isas())
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      expect_matches_reference({Trans::kNo, tb, 19, 517, 401, 0, 1.0f, 0.0f}, isa);
      expect_matches_reference({Trans::kYes, tb, 150, 70, 800, 1, 0.5f, 1.0f}, isa);
      expect_matches_reference({Trans::kNo, tb, 131, 1000, 20, 0, 1.0f, 0.0f}, isa);
      // Large A with N split: the threads share one packed A.
      expect_matches_reference({Trans::kYes, tb, 1020, 64, 1030, 0, 1.0f, 0.5f}, isa);
      if (HasFatalFailure()) return;
    }
}

TEST(Sgemm, BetaZeroIgnoresNaNAndKZeroScales) {
  for (Isa isa : supported_isas()) {
    expect_matches_reference({Trans::kNo, Trans::kNo, 13, 21, 5, 2, 1.0f, 0.0f}, isa);
    // k == 0: C = beta * C, A and B unread (null is fine).
    for (float beta : {0.0f, 2.0f}) {
      std::vector<float> c(6 * 9, 1.0f);
      if (beta == 0.0f)
        for (int64_t i = 0; i < 6; ++i)
          for (int64_t j = 0; j < 7; ++j) c[i * 9 + j] = std::numeric_limits<float>::quiet_NaN();
      GemmArgs g;
      g.m = 6;
      g.n = 7;
      g.k = 0;
      g.c = c.data();
      g.ldc = 9;
      g.beta = beta;
      sgemm_isa(isa, g);
      for (int64_t i = 0; i < 6; ++i)
        for (int64_t j = 0; j < 7; ++j) ASSERT_EQ(c[i * 9 + j], beta == 0.0f ? 0.0f : 2.0f);
      EXPECT_EQ(c[7], 1.0f);  // padding untouched
    }
    // m == 0 or n == 0: nothing is touched.
    GemmArgs empty;
    empty.m = 0;
    empty.n = 5;
    empty.k = 3;
    sgemm_isa(isa, empty);
  }
}

std::vector<float> run_with_threads(const Problem& p, int threads, bool parallel) {
  set_num_threads(threads);
  Buffers bf = make(p, 5);
  bf.args.parallel = parallel;
  sgemm(bf.args);
  return bf.c;
}

TEST(Sgemm, SameBitsOnOneAndTwoThreads) {
  const int saved = num_threads();
  for (const Problem& p : {Problem{Trans::kNo, Trans::kNo, 200, 300, 500, 0, 1.0f, 0.0f},
                           Problem{Trans::kNo, Trans::kNo, 32, 784, 288, 0, 1.0f, 0.0f},
                           Problem{Trans::kYes, Trans::kYes, 300, 77, 450, 2, 0.5f, 1.0f},
                           Problem{Trans::kNo, Trans::kYes, 129, 129, 129, 1, 1.0f, 0.0f},
                           Problem{Trans::kNo, Trans::kNo, 600, 700, 1800, 0, 1.0f, 0.0f}}) {
    const std::vector<float> one = run_with_threads(p, 1, true);
    const std::vector<float> two = run_with_threads(p, 2, true);
    const std::vector<float> serial = run_with_threads(p, 2, false);
    ASSERT_EQ(0, std::memcmp(one.data(), two.data(), one.size() * sizeof(float)))
        << "m=" << p.m << " n=" << p.n << " k=" << p.k;
    ASSERT_EQ(0, std::memcmp(one.data(), serial.data(), one.size() * sizeof(float)));
  }
  set_num_threads(saved);
}

TEST(Sgemm, NoScratchGrowthInSteadyState) {
  Buffers bf = make({Trans::kNo, Trans::kYes, 150, 90, 400, 0, 1.0f, 0.0f}, 3);
  bf.args.parallel = false;  // runs on this thread, so this thread's arena is the one used
  sgemm(bf.args);
  const int64_t after_first = thread_scratch().capacity_bytes();
  EXPECT_GT(after_first, 0);
  for (int i = 0; i < 3; ++i) sgemm(bf.args);
  EXPECT_EQ(after_first, thread_scratch().capacity_bytes());
}

TEST(Sgemm, ConvenienceOverloadIsPlainRowMajor) {
  const int64_t m = 5, n = 6, k = 7;
  std::vector<float> a(m * k), b(k * n), c(m * n), r(m * n);
  for (int64_t i = 0; i < m * k; ++i) a[i] = 0.1f * float(i % 7) - 0.2f;
  for (int64_t i = 0; i < k * n; ++i) b[i] = 0.05f * float(i % 5) + 0.1f;
  sgemm(m, n, k, a.data(), b.data(), c.data());
  GemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a.data();
  g.lda = k;
  g.b = b.data();
  g.ldb = n;
  g.c = r.data();
  g.ldc = n;
  sgemm_reference(g);
  for (int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(c[i], r[i], 1e-5f);
}

}  // namespace
}  // namespace nas::ops
