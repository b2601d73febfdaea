#include "ops/gemm/sgemm.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace nas::ops {
namespace {

TEST(Sgemm, MatchesReferenceAllTransposes) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (Trans ta : {Trans::kNo, Trans::kYes})
    for (Trans tb : {Trans::kNo, Trans::kYes}) {
      const int64_t m = 13, n = 17, k = 29;
      std::vector<float> a(m * k), b(k * n), c(m * n, 1.0f), r(m * n, 1.0f);
      for (float& x : a) x = u(rng);
      for (float& x : b) x = u(rng);
      GemmArgs g;
      g.trans_a = ta; g.trans_b = tb; g.m = m; g.n = n; g.k = k;
      g.a = a.data(); g.lda = ta == Trans::kNo ? k : m;
      g.b = b.data(); g.ldb = tb == Trans::kNo ? n : k;
      g.beta = 0.5f; g.alpha = 2.0f;
      g.c = c.data(); g.ldc = n;
      sgemm(g);
      g.c = r.data();
      sgemm_reference(g);
      for (int64_t i = 0; i < m * n; ++i) ASSERT_NEAR(c[i], r[i], 1e-4f);
    }
}

}  // namespace
}  // namespace nas::ops
