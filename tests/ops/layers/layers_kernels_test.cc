// Kernel parity: every activation, dropout and batch-norm kernel the CPU can
// run gives the portable kernel's bits, at lengths around the vector widths
// (4, 8, 16 floats) and, for batch norm, row counts around its 32-row chunks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/kernels/layers/activation_f32_kernels.h"
#include "ops/kernels/layers/batch_norm_f32_kernels.h"
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

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(BatchNormKernels, EveryIsaMatchesThePortableKernelBitForBit) {
  const BatchNormF32Kernel& ref = batch_norm_f32_kernel(Isa::kScalar);
  std::mt19937 rng(13);
  int compared = 0;
  for (const BatchNormF32Kernel& k : batch_norm_f32_kernels()) {
    if (!cpu_supports(k.isa) || k.isa == Isa::kScalar) continue;
    // 40, 57, 96: the cached kernels' 32-, 16- and 8-channel strips and tails.
    for (int64_t c : {1, 3, 7, 8, 9, 15, 16, 17, 24, 33, 40, 57, 96})
      for (int64_t rows : {1, 5, 31, 32, 33, 70}) {
        const int64_t n = rows * c;
        const std::vector<float> x = values(n, rng), dy = values(n, rng);
        const std::vector<float> mean = values(c, rng), scale = values(c, rng),
                                 beta = values(c, rng), a = values(c, rng), b = values(c, rng),
                                 d = values(c, rng);
        const std::string at = std::string(k.name) + ", c " + std::to_string(c) + ", rows " +
                               std::to_string(rows);
        std::vector<float> scratch(2 * c);
        std::vector<double> s0(2 * c, 0.5), s1(2 * c, 0.5);  // kernels add into the sums
        ref.stats(x.data(), rows, c, x.data(), s0.data(), s0.data() + c, scratch.data());
        k.stats(x.data(), rows, c, x.data(), s1.data(), s1.data() + c, scratch.data());
        ASSERT_TRUE(same_bits(s0, s1)) << at << " stats";
        std::fill(s1.begin(), s1.end(), 0.5);
        k.stats_cached(x.data(), rows, c, x.data(), s1.data(), s1.data() + c, scratch.data());
        ASSERT_TRUE(same_bits(s0, s1)) << at << " stats_cached";
        for (ActivationKind act :
             {ActivationKind::kIdentity, ActivationKind::kRelu, ActivationKind::kRelu6}) {
          const std::string where = at + ", act " + std::to_string(int(act));
          std::vector<float> y0(n), y1(n), y2(n);
          ref.normalize(x.data(), rows, c, mean.data(), scale.data(), beta.data(), act, false,
                        y0.data());
          k.normalize(x.data(), rows, c, mean.data(), scale.data(), beta.data(), act, false,
                      y1.data());
          ASSERT_TRUE(same_bits(y0, y1)) << where << " normalize";
          k.normalize(x.data(), rows, c, mean.data(), scale.data(), beta.data(), act, true,
                      y2.data());
          ASSERT_TRUE(same_bits(y0, y2)) << where << " normalize, streaming";
          std::fill(s0.begin(), s0.end(), 0.0);
          std::fill(s1.begin(), s1.end(), 0.0);
          ref.grad_sums(x.data(), dy.data(), rows, c, mean.data(), scale.data(), beta.data(), act,
                        s0.data(), s0.data() + c, scratch.data());
          k.grad_sums(x.data(), dy.data(), rows, c, mean.data(), scale.data(), beta.data(), act,
                      s1.data(), s1.data() + c, scratch.data());
          ASSERT_TRUE(same_bits(s0, s1)) << where << " grad_sums";
          std::fill(s1.begin(), s1.end(), 0.0);
          k.grad_sums_cached(x.data(), dy.data(), rows, c, mean.data(), scale.data(),
                             beta.data(), act, s1.data(), s1.data() + c, scratch.data());
          ASSERT_TRUE(same_bits(s0, s1)) << where << " grad_sums_cached";
          std::vector<float> d0(n), d1(n);
          ref.grad_input(x.data(), dy.data(), rows, c, mean.data(), scale.data(), beta.data(),
                         a.data(), b.data(), d.data(), act, d0.data());
          k.grad_input(x.data(), dy.data(), rows, c, mean.data(), scale.data(), beta.data(),
                       a.data(), b.data(), d.data(), act, d1.data());
          ASSERT_TRUE(same_bits(d0, d1)) << where << " grad_input";
          std::vector<float> inplace = dy;  // dx overwrites dy
          k.grad_input(x.data(), inplace.data(), rows, c, mean.data(), scale.data(), beta.data(),
                       a.data(), b.data(), d.data(), act, inplace.data());
          ASSERT_TRUE(same_bits(d0, inplace)) << where << " grad_input in place";
        }
        ++compared;
      }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU runs only the portable kernel";
}

// The portable kernel against plain definitions: fused activation and mask,
// and sums that stay exact on integers past the 32-row float chunks.
TEST(BatchNormKernels, PortableKernelComputesTheDefinitions) {
  const BatchNormF32Kernel& k = batch_norm_f32_kernel(Isa::kScalar);
  const int64_t rows = 100, c = 3;
  std::vector<float> x(rows * c), dy(rows * c);
  for (int64_t i = 0; i < rows * c; ++i) {
    x[i] = float(i % 7) - 2.0f;
    dy[i] = float(i % 5) + 1.0f;
  }
  // The forward values (x - mean) * scale + beta cover both relu6 edges
  // exactly: 0 (x = mean in channel 1) and 6 (x = 2 in channel 2).
  const float mean[c] = {1, 0, -1}, scale[c] = {2, 2, 2}, beta[c] = {0.5f, 0, 0};
  auto forward_value = [&](int64_t i) {
    return (x[i] - mean[i % c]) * scale[i % c] + beta[i % c];
  };
  std::vector<float> out(rows * c), scratch(2 * c);
  k.normalize(x.data(), rows, c, mean, scale, beta, ActivationKind::kRelu6, false, out.data());
  int at_zero = 0, at_six = 0;
  for (int64_t i = 0; i < rows * c; ++i) {
    const float v = forward_value(i);
    at_zero += v == 0.0f;
    at_six += v == 6.0f;
    ASSERT_EQ(out[i], std::min(std::max(v, 0.0f), 6.0f)) << i;
  }
  ASSERT_GT(at_zero, 0);
  ASSERT_GT(at_six, 0);
  std::vector<double> s(2 * c, 0.0);
  k.grad_sums(x.data(), dy.data(), rows, c, mean, scale, beta, ActivationKind::kRelu6, s.data(),
              s.data() + c, scratch.data());
  double e1[c] = {}, e2[c] = {};
  for (int64_t i = 0; i < rows * c; ++i) {
    const float y = std::min(std::max(forward_value(i), 0.0f), 6.0f);
    const double g = (y > 0 && y < 6) ? dy[i] : 0.0;
    e1[i % c] += g;
    e2[i % c] += g * (x[i] - mean[i % c]);
  }
  for (int64_t j = 0; j < c; ++j) {
    EXPECT_EQ(s[j], e1[j]) << j;
    EXPECT_EQ(s[c + j], e2[j]) << j;
  }
  std::vector<double> st(2 * c, 0.0);
  k.stats(x.data(), rows, c, mean, st.data(), st.data() + c, scratch.data());
  double m1[c] = {}, m2[c] = {};
  for (int64_t i = 0; i < rows * c; ++i) {
    const double v = x[i] - mean[i % c];
    m1[i % c] += v;
    m2[i % c] += v * v;
  }
  for (int64_t j = 0; j < c; ++j) {
    EXPECT_EQ(st[j], m1[j]) << j;
    EXPECT_EQ(st[c + j], m2[j]) << j;
  }
  const float a[c] = {1, 2, 3}, b[c] = {0.5f, 0.25f, 1}, d[c] = {-1, 0, 1};
  k.grad_input(x.data(), dy.data(), rows, c, mean, scale, beta, a, b, d, ActivationKind::kRelu,
               out.data());
  for (int64_t i = 0; i < rows * c; ++i) {
    const int64_t j = i % c;
    const float g = forward_value(i) > 0.0f ? dy[i] : 0.0f;
    ASSERT_EQ(out[i], a[j] * g + b[j] * (x[i] - mean[j]) + d[j]) << i;
  }
  // Identity: no mask, and scale / beta may be null.
  k.grad_input(x.data(), dy.data(), rows, c, mean, nullptr, nullptr, a, b, d,
               ActivationKind::kIdentity, out.data());
  for (int64_t i = 0; i < rows * c; ++i) {
    const int64_t j = i % c;
    ASSERT_EQ(out[i], a[j] * dy[i] + b[j] * (x[i] - mean[j]) + d[j]) << i;
  }
}

// Streaming stores write the plain path's bits whatever the alignment of y
// (unaligned head, aligned body, tail), across the kernel's 2048-float
// buffer (many rows per buffer, rows split across buffers when c > 2048).
TEST(BatchNormKernels, StreamingNormalizeGivesThePlainBitsAtAnyAlignment) {
  std::mt19937 rng(17);
  for (const BatchNormF32Kernel& k : batch_norm_f32_kernels()) {
    if (!cpu_supports(k.isa)) continue;
    for (int64_t c : {1, 5, 24, 144, 2047, 2048, 2049, 5000})
      for (int64_t rows : {1, 3, 100}) {
        if (rows * c > 300000) continue;
        const int64_t n = rows * c;
        const std::vector<float> x = values(n, rng), mean = values(c, rng),
                                 scale = values(c, rng), beta = values(c, rng);
        std::vector<float> plain(n);
        k.normalize(x.data(), rows, c, mean.data(), scale.data(), beta.data(),
                    ActivationKind::kRelu6, false, plain.data());
        for (int64_t offset : {0, 1, 3, 7}) {  // y at 4 * offset bytes past a 64-byte boundary
          std::vector<float> storage(n + 32, -1.0f);
          float* base = storage.data();
          while (reinterpret_cast<uintptr_t>(base) % 64 != 0) ++base;
          float* y = base + offset;
          k.normalize(x.data(), rows, c, mean.data(), scale.data(), beta.data(),
                      ActivationKind::kRelu6, true, y);
          ASSERT_EQ(std::memcmp(y, plain.data(), n * sizeof(float)), 0)
              << k.name << ", c " << c << ", rows " << rows << ", offset " << offset;
          ASSERT_EQ(y[n], -1.0f) << "wrote past the end";
          if (offset > 0) {
            ASSERT_EQ(y[-1], -1.0f) << "wrote before the start";
          }
        }
      }
  }
}

}  // namespace
}  // namespace nas::ops::kernels
