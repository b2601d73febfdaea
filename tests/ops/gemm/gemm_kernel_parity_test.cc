// Kernel parity: every micro-kernel in gemm_f32_kernels() that this CPU can
// run, called directly on packed panels, against a double-precision sum, at
// partial tiles (1, tile-1, tile), k = 0 / 1 / odd / long, alpha / beta, beta
// == 0 over NaN, and B read in place with a row stride. Kernels whose ISA the
// CPU lacks are skipped (reported as skipped, not passed).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ops/core/cpu_features.h"
#include "ops/core/tensor.h"
#include "ops/kernels/gemm/gemm_f32_kernels.h"

namespace nas::ops::kernels {
namespace {

using nas::ops::allocate_floats;

class GemmKernelParity : public ::testing::TestWithParam<GemmF32Kernel> {};

struct Case {
  int64_t k, mr, nr, ldb_extra;
  float alpha, beta;
};

void check_case(const GemmF32Kernel& kern, const Case& cs, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const int64_t MR = kern.mr, NR = kern.nr;
  const int64_t ldb = NR + cs.ldb_extra;
  // Packed A panel (zero past mr) and a B panel with row stride ldb (zero past nr).
  std::vector<float> a(std::max<int64_t>(cs.k, 1) * MR, 0.0f);
  std::vector<float> b(std::max<int64_t>(cs.k, 1) * ldb + 64, 0.0f);
  for (int64_t p = 0; p < cs.k; ++p) {
    for (int64_t i = 0; i < cs.mr; ++i) a[p * MR + i] = u(rng);
    for (int64_t j = 0; j < cs.nr; ++j) b[p * ldb + j] = u(rng);
  }
  const int64_t ldc = NR + 5;
  const float sentinel = -777.0f;
  std::vector<float> c((MR + 1) * ldc, sentinel), c0;
  for (int64_t i = 0; i < cs.mr; ++i)
    for (int64_t j = 0; j < cs.nr; ++j)
      c[i * ldc + j] = cs.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : u(rng);
  c0 = c;
  // Packed panels come 64-byte aligned from the driver's arena; do the same here.
  const std::shared_ptr<float[]> b_store = allocate_floats(static_cast<int64_t>(b.size()));
  float* b_aligned = b_store.get();
  std::copy(b.begin(), b.end(), b_aligned);

  kern.fn(cs.k, a.data(), b_aligned, ldb, c.data(), ldc, cs.mr, cs.nr, cs.alpha, cs.beta);

  const std::string where = std::string(kern.name) + " k=" + std::to_string(cs.k) +
                            " mr=" + std::to_string(cs.mr) + " nr=" + std::to_string(cs.nr) +
                            " ldb=" + std::to_string(ldb) + " alpha=" + std::to_string(cs.alpha) +
                            " beta=" + std::to_string(cs.beta);
  for (int64_t i = 0; i <= MR; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const float got = c[i * ldc + j];
      if (i >= cs.mr || j >= cs.nr) {
        ASSERT_EQ(got, sentinel) << where << ": wrote outside the tile at " << i << "," << j;
        continue;
      }
      double acc = 0.0, mag = 0.0;
      for (int64_t p = 0; p < cs.k; ++p) {
        acc += double(a[p * MR + i]) * b[p * ldb + j];
        mag += std::fabs(double(a[p * MR + i]) * b[p * ldb + j]);
      }
      const double want =
          cs.alpha * acc + (cs.beta == 0.0f ? 0.0 : cs.beta * double(c0[i * ldc + j]));
      const double tol = 2e-6 * (cs.k + 2) * (std::fabs(cs.alpha) * mag + 1.0);
      ASSERT_TRUE(std::isfinite(got)) << where << " at " << i << "," << j;
      ASSERT_NEAR(got, want, tol) << where << " at " << i << "," << j;
    }
}

TEST_P(GemmKernelParity, MatchesDoubleSumOnFullAndPartialTiles) {
  const GemmF32Kernel& kern = GetParam();
  if (!cpu_supports(kern.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kern.isa);
  std::mt19937 rng(7);
  const int64_t mrs[] = {1, kern.mr - 1, kern.mr};
  const int64_t nrs[] = {1, kern.nr - 1, kern.nr};
  for (int64_t k : {0, 1, 2, 7, 64, 385})
    for (int64_t mr : mrs)
      for (int64_t nr : nrs) {
        if (mr < 1 || nr < 1) continue;
        check_case(kern, {k, mr, nr, 0, 1.0f, 0.0f}, rng);
        check_case(kern, {k, mr, nr, 0, -0.5f, 1.5f}, rng);
      }
  // Full-width panels read in place from B (row stride > NR), as the driver does for short M.
  for (int64_t k : {1, 33, 200}) {
    check_case(kern, {k, kern.mr, kern.nr, 37, 2.0f, 0.0f}, rng);
    check_case(kern, {k, kern.mr - 1, kern.nr, 100, 1.0f, -1.0f}, rng);
  }
}

// The non-temporal variant writes the same bits as fn, on full tiles (where
// it streams: C 64-byte aligned, ldc a multiple of 16) and on partial ones,
// and nothing outside the tile.
TEST_P(GemmKernelParity, StreamingVariantWritesTheSameBits) {
  const GemmF32Kernel& kern = GetParam();
  if (!cpu_supports(kern.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kern.isa);
  if (kern.fn_nt == nullptr) GTEST_SKIP() << kern.name << " has no streaming variant";
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const int64_t MR = kern.mr, NR = kern.nr, ldc = NR + 16;
  for (int64_t k : {1, 24, 97})
    for (int64_t mr : {int64_t{1}, MR})
      for (int64_t nr : {int64_t{1}, NR / 2, NR})
        for (float beta : {0.0f, 0.5f}) {
          const std::shared_ptr<float[]> a = allocate_floats(k * MR);
          const std::shared_ptr<float[]> b = allocate_floats(k * NR);
          for (int64_t i = 0; i < k * MR; ++i) a[i] = u(rng);
          for (int64_t i = 0; i < k * NR; ++i) b[i] = u(rng);
          const std::shared_ptr<float[]> c0 = allocate_floats((MR + 1) * ldc);
          const std::shared_ptr<float[]> c1 = allocate_floats((MR + 1) * ldc);
          for (int64_t i = 0; i < (MR + 1) * ldc; ++i) c0[i] = c1[i] = u(rng);
          kern.fn(k, a.get(), b.get(), NR, c0.get(), ldc, mr, nr, 1.5f, beta);
          kern.fn_nt(k, a.get(), b.get(), NR, c1.get(), ldc, mr, nr, 1.5f, beta);
          for (int64_t i = 0; i < (MR + 1) * ldc; ++i)
            ASSERT_EQ(c0[i], c1[i]) << kern.name << " k=" << k << " mr=" << mr << " nr=" << nr
                                    << " beta=" << beta << " at " << i;
        }
}

TEST(GemmKernelList, NamesSayTileAndIsaAndPortableComesFirst) {
  const auto list = gemm_f32_kernels();
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list[0].isa, Isa::kScalar);
  for (const GemmF32Kernel& k : list) {
    const std::string want =
        "gemm_f32_" + std::to_string(k.mr) + "x" + std::to_string(k.nr) + "_" + isa_name(k.isa);
    EXPECT_EQ(want, k.name);
  }
}

INSTANTIATE_TEST_SUITE_P(AllKernels, GemmKernelParity,
                         ::testing::ValuesIn(gemm_f32_kernels().begin(), gemm_f32_kernels().end()),
                         [](const ::testing::TestParamInfo<GemmF32Kernel>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace nas::ops::kernels
