// Kernel parity: every activation and dropout kernel the CPU can run gives the
// portable kernel's bits, at lengths around the vector widths (4, 8, 16 floats).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "ops/kernels/layers/activation_f32_kernels.h"
#include "ops/kernels/layers/dropout_f32_kernels.h"

namespace nas::ops::kernels {
namespace {

constexpr ActivationKind kKinds[] = {
    ActivationKind::kIdentity, ActivationKind::kRelu,   ActivationKind::kRelu6,
    ActivationKind::kHsigmoid, ActivationKind::kHswish, ActivationKind::kSwish,
    ActivationKind::kSigmoid,  ActivationKind::kTanh,   ActivationKind::kGelu};

std::vector<float> values(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-10.0f, 10.0f);
  const float special[] = {0.0f, -0.0f, 3.0f, -3.0f, 6.0f, 1e-5f, -100.0f, 100.0f};
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i < 8 && (i % 3 == 0) ? special[i] : u(rng);
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(ActivationKernels, EveryIsaMatchesThePortableKernelBitForBit) {
  const ActivationF32Kernel& ref = activation_f32_kernel(Isa::kScalar);
  std::mt19937 rng(5);
  int compared = 0;
  for (const ActivationF32Kernel& k : activation_f32_kernels()) {
    if (!cpu_supports(k.isa) || k.isa == Isa::kScalar) continue;
    for (ActivationKind kind : kKinds)
      for (int64_t n : {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100}) {
        const std::vector<float> x = values(n, rng), dy = values(n, rng);
        std::vector<float> y0(n), y1(n), d0(n), d1(n);
        ref.forward(kind, x.data(), y0.data(), n);
        k.forward(kind, x.data(), y1.data(), n);
        ASSERT_TRUE(same_bits(y0, y1)) << k.name << " forward, kind " << int(kind) << ", n " << n;
        ref.backward(kind, x.data(), dy.data(), d0.data(), n);
        k.backward(kind, x.data(), dy.data(), d1.data(), n);
        ASSERT_TRUE(same_bits(d0, d1)) << k.name << " backward, kind " << int(kind) << ", n " << n;
        std::vector<float> inplace = x;
        k.forward(kind, inplace.data(), inplace.data(), n);
        ASSERT_TRUE(same_bits(inplace, y0)) << k.name << " in place";
        ++compared;
      }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU runs only the portable kernel";
}

TEST(DropoutKernels, EveryIsaMatchesThePortableKernelAndTheElementMask) {
  const DropoutF32Kernel& ref = dropout_f32_kernel(Isa::kScalar);
  std::mt19937 rng(9);
  const DropoutKeys keys = dropout_keys(42);
  const uint32_t thr = dropout_threshold(0.4f);
  for (int64_t n : {1, 7, 8, 9, 16, 17, 33, 1000}) {
    const std::vector<float> x = values(n, rng);
    // Offsets: the mask depends on the absolute element index.
    for (int64_t begin : {int64_t{0}, n / 2}) {
      std::vector<float> y0(n, -1.0f);
      ref.fn(keys, thr, 2.0f, x.data(), y0.data(), begin, n);
      for (int64_t i = begin; i < n; ++i)
        ASSERT_EQ(y0[i], dropout_keep_element(keys, thr, uint32_t(i)) ? x[i] * 2.0f : 0.0f);
      for (const DropoutF32Kernel& k : dropout_f32_kernels()) {
        if (!cpu_supports(k.isa)) continue;
        std::vector<float> y1(n, -1.0f);
        k.fn(keys, thr, 2.0f, x.data(), y1.data(), begin, n);
        ASSERT_TRUE(same_bits(y0, y1)) << k.name << ", n " << n << ", begin " << begin;
      }
    }
  }
}

}  // namespace
}  // namespace nas::ops::kernels
