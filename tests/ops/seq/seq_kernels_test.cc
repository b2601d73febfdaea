// Kernel parity: every ISA table of ops/kernels/seq against the scalar one,
// at lengths around the 8- and 16-wide vector bodies.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/kernels/seq/seq_kernels.h"
#include "tests/ops/seq/seq_check.h"

namespace nas::ops {
namespace {

TEST(SeqKernels, EachIsaMatchesScalar) {
  const SeqKernels& ref = seq_kernels_scalar();
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    const SeqKernels* k = seq_kernels_for(isa);
    if (k == nullptr) continue;  // the CPU lacks it
    SCOPED_TRACE(isa_name(isa));
    for (int64_t n : {0, 1, 7, 8, 9, 15, 16, 17, 33, 100}) {
      SCOPED_TRACE(n);
      auto x = testing::random_floats(n, 7 + n, -9.0f, 9.0f);
      std::vector<float> a(n), b(n);
      const float sa = ref.exp_scaled(x.data(), a.data(), n, 0.7f, 1.5f);
      const float sb = k->exp_scaled(x.data(), b.data(), n, 0.7f, 1.5f);
      EXPECT_NEAR(sa, sb, 1e-5f * (1 + std::abs(sa)));
      for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], b[i], 2e-6f * (1 + a[i]));
      EXPECT_EQ(ref.max(x.data(), n), k->max(x.data(), n));
      ref.sigmoid(x.data(), a.data(), n);
      k->sigmoid(x.data(), b.data(), n);
      for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], b[i], 1e-6f);
      ref.tanh(x.data(), a.data(), n);
      k->tanh(x.data(), b.data(), n);
      for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], b[i], 1e-6f);
      auto y = testing::random_floats(n, 11 + n);
      EXPECT_NEAR(ref.dot(x.data(), y.data(), n), k->dot(x.data(), y.data(), n), 1e-4f);
      a = y;
      b = y;
      ref.softmax_grad(x.data(), a.data(), n, 0.3f, 0.2f);
      k->softmax_grad(x.data(), b.data(), n, 0.3f, 0.2f);
      for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], b[i], 1e-6f);
      if (n == 0) continue;
      auto g = testing::random_floats(n, 3, 0.5f, 1.5f), be = testing::random_floats(n, 4);
      float ma, ra, mb, rb;
      ref.layer_norm_forward(x.data(), a.data(), n, g.data(), be.data(), 1e-5f, &ma, &ra, false);
      for (bool nt : {false, true}) {
        alignas(32) float out[128];
        k->layer_norm_forward(x.data(), out, n, g.data(), be.data(), 1e-5f, &mb, &rb, nt);
        EXPECT_NEAR(ma, mb, 1e-5f);
        EXPECT_NEAR(ra, rb, 1e-5f * ra);
        for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(a[i], out[i], 1e-5f);
      }
      auto dy = testing::random_floats(n, 5);
      std::vector<float> ga(n, 0.f), ba(n, 0.f), gb(n, 0.f), bb(n, 0.f);
      ref.layer_norm_backward(x.data(), dy.data(), a.data(), n, g.data(), ma, ra, ga.data(), ba.data());
      k->layer_norm_backward(x.data(), dy.data(), b.data(), n, g.data(), ma, ra, gb.data(), bb.data());
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(a[i], b[i], 1e-4f);
        EXPECT_NEAR(ga[i], gb[i], 1e-5f);
        EXPECT_NEAR(ba[i], bb[i], 1e-6f);
      }
    }
  }
}

}  // namespace
}  // namespace nas::ops
