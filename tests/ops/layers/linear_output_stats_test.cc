// LinearOutputStats (the batch statistics of y = W x + b from x's mean and
// covariance) against a double-precision reference that forms y row by row
// and takes its two-pass mean and variance; its bits on 1-3 threads; and the
// covariance-sums kernels of every ISA against the portable one, bit for bit.
#include "ops/layers/linear_output_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"
#include "ops/kernels/layers/cov_sums_f32_kernels.h"

namespace nas::ops {
namespace {

struct Case {
  int64_t rows, in_c, out_c;
  bool bias;
  float offset;  // added to every channel's mean (times a per-channel factor)
  float spread;  // the channels' standard deviation scale
};

std::string label(const Case& c) {
  return "rows " + std::to_string(c.rows) + " in_c " + std::to_string(c.in_c) + " out_c " +
         std::to_string(c.out_c) + (c.bias ? " bias" : "") + " offset " + std::to_string(c.offset);
}

struct Data {
  std::vector<float> x, w, b;
};

// Correlated channels (x = A z + mu): a covariance far from diagonal.
Data make_data(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Data d;
  std::vector<float> mix(c.in_c * c.in_c), mu(c.in_c), z(c.in_c);
  for (float& m : mix) m = u(rng);
  for (int64_t i = 0; i < c.in_c; ++i) mu[i] = c.offset * (1.0f + 0.5f * u(rng));
  d.x.resize(c.rows * c.in_c);
  for (int64_t r = 0; r < c.rows; ++r) {
    for (float& v : z) v = g(rng);
    for (int64_t i = 0; i < c.in_c; ++i) {
      float v = 0.0f;
      for (int64_t j = 0; j < c.in_c; ++j) v += mix[i * c.in_c + j] * z[j];
      d.x[r * c.in_c + i] = mu[i] + c.spread * v;
    }
  }
  d.w.resize(c.out_c * c.in_c);
  for (float& v : d.w) v = u(rng);
  if (c.bias) {
    d.b.resize(c.out_c);
    for (float& v : d.b) v = 3.0f * u(rng);
  }
  return d;
}

// The reference: y in double, row by row; two-pass mean and biased variance.
// Also the scales the tolerances are relative to: sum_i |w_i| (|mean_i| +
// std_i) for the mean and sum_ij |w_i w_j C_ij| for the variance (the size of
// the terms the covariance route adds up).
struct Reference {
  std::vector<double> mean, var, mean_scale, var_scale;
};

Reference reference(const Case& c, const Data& d) {
  const int64_t k = c.in_c;
  Reference ref;
  std::vector<double> mx(k, 0.0), cov(k * k, 0.0);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t i = 0; i < k; ++i) mx[i] += d.x[r * k + i];
  for (double& m : mx) m /= double(c.rows);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j)
        cov[i * k + j] += (d.x[r * k + i] - mx[i]) * (d.x[r * k + j] - mx[j]);
  for (double& v : cov) v /= double(c.rows);
  std::vector<double> y(c.rows);
  for (int64_t o = 0; o < c.out_c; ++o) {
    const float* w = d.w.data() + o * k;
    double sum = 0.0;
    for (int64_t r = 0; r < c.rows; ++r) {
      double v = c.bias ? double(d.b[o]) : 0.0;
      for (int64_t i = 0; i < k; ++i) v += double(w[i]) * d.x[r * k + i];
      y[r] = v;
      sum += v;
    }
    const double mean = sum / double(c.rows);
    double ss = 0.0;
    for (double v : y) ss += (v - mean) * (v - mean);
    ref.mean.push_back(mean);
    ref.var.push_back(ss / double(c.rows));
    double ms = 0.0, vs = 0.0;
    for (int64_t i = 0; i < k; ++i) {
      ms += std::abs(w[i]) * (std::abs(mx[i]) + std::sqrt(cov[i * k + i]));
      for (int64_t j = 0; j < k; ++j) vs += std::abs(double(w[i]) * w[j] * cov[i * k + j]);
    }
    ref.mean_scale.push_back(ms);
    ref.var_scale.push_back(vs);
  }
  return ref;
}

void expect_matches_reference(const Case& c, uint32_t seed) {
  const Data d = make_data(c, seed);
  const Reference ref = reference(c, d);
  LinearOutputStats stats(c.rows, c.in_c);
  std::vector<double> mean(c.out_c), var(c.out_c);
  stats.compute(d.x.data(), d.w.data(), c.bias ? d.b.data() : nullptr, c.out_c, mean.data(),
                var.data());
  for (int64_t o = 0; o < c.out_c; ++o) {
    EXPECT_NEAR(mean[o], ref.mean[o], 1e-6 * ref.mean_scale[o] + 1e-12)
        << label(c) << " channel " << o;
    // Float products summed over 128 rows, then in double: ~1e-7 of the
    // terms' size, whatever the offset (shifted sums).
    EXPECT_NEAR(var[o], ref.var[o], 1e-5 * ref.var_scale[o] + 1e-12)
        << label(c) << " channel " << o;
    EXPECT_GE(var[o], 0.0);
  }
}

TEST(LinearOutputStats, MatchesADoublePrecisionReferenceOnRandomShapes) {
  // Odd channel counts, strips of 8 +- 1, rows below one block (128), not a
  // multiple of the 64 blocks or of the 128-row chunks.
  const Case cases[] = {
      {1, 1, 1, false, 0.0f, 1.0f},       {7, 3, 5, true, 0.5f, 1.0f},
      {128, 16, 96, false, 0.2f, 1.0f},   {129, 17, 33, true, 1.0f, 0.5f},
      {1000, 24, 144, true, -2.0f, 1.0f}, {8191, 32, 192, false, 0.3f, 2.0f},
      {12345, 15, 7, true, 1.0f, 1.0f},   {3001, 33, 40, false, 0.0f, 1.0f},
      {4097, 8, 1, true, 5.0f, 0.1f},     {65, 5, 96, false, 0.0f, 3.0f},
  };
  uint32_t seed = 1;
  for (const Case& c : cases) expect_matches_reference(c, seed++);
}

TEST(LinearOutputStats, LargeOffsetsDoNotCancel) {
  // mean / std = 1e4 per channel: E[y^2] - E[y]^2 in float would lose every
  // digit; shifted block sums keep the variance to ~1e-6 relative.
  const Case cases[] = {{20000, 16, 96, true, 1e4f, 1.0f}, {5000, 24, 30, false, -3e3f, 0.3f}};
  for (const Case& c : cases) {
    expect_matches_reference(c, 77);
    const Data d = make_data(c, 77);
    const Reference ref = reference(c, d);
    LinearOutputStats stats(c.rows, c.in_c);
    std::vector<double> mean(c.out_c), var(c.out_c);
    stats.compute(d.x.data(), d.w.data(), c.bias ? d.b.data() : nullptr, c.out_c, mean.data(),
                  var.data());
    for (int64_t o = 0; o < c.out_c; ++o)
      EXPECT_NEAR(var[o], ref.var[o], 1e-4 * ref.var[o]) << label(c) << " channel " << o;
  }
}

TEST(LinearOutputStats, InputStatisticsAreTheInputsMeanAndCovariance) {
  const Case c{1000, 5, 1, false, 2.0f, 1.0f};
  const Data d = make_data(c, 3);
  LinearOutputStats stats(c.rows, c.in_c);
  double mean = 0, var = 0;
  stats.compute(d.x.data(), d.w.data(), nullptr, 1, &mean, &var);
  for (int64_t i = 0; i < c.in_c; ++i) {
    double m = 0.0;
    for (int64_t r = 0; r < c.rows; ++r) m += d.x[r * c.in_c + i];
    m /= double(c.rows);
    EXPECT_NEAR(stats.input_mean()[i], m, 1e-6 * (std::abs(m) + 1.0));
    for (int64_t j = 0; j < c.in_c; ++j) {
      double mj = 0.0;
      for (int64_t r = 0; r < c.rows; ++r) mj += d.x[r * c.in_c + j];
      mj /= double(c.rows);
      double cij = 0.0;
      for (int64_t r = 0; r < c.rows; ++r)
        cij += (d.x[r * c.in_c + i] - m) * (d.x[r * c.in_c + j] - mj);
      cij /= double(c.rows);
      EXPECT_NEAR(stats.input_covariance()[i * c.in_c + j], cij, 1e-5) << i << "," << j;
      EXPECT_EQ(stats.input_covariance()[i * c.in_c + j], stats.input_covariance()[j * c.in_c + i]);
    }
  }
}

TEST(LinearOutputStats, SameBitsOnOneToThreeThreads) {
  const Case c{100352 / 8, 24, 144, true, 1.0f, 1.0f};  // 64 blocks of ~196 rows
  const Data d = make_data(c, 11);
  const int saved = num_threads();
  std::vector<double> mean0, var0, cov0;
  for (int t = 1; t <= 3; ++t) {
    set_num_threads(t);
    LinearOutputStats stats(c.rows, c.in_c);
    std::vector<double> mean(c.out_c), var(c.out_c);
    stats.compute(d.x.data(), d.w.data(), d.b.data(), c.out_c, mean.data(), var.data());
    const std::vector<double> cov(stats.input_covariance().begin(), stats.input_covariance().end());
    if (t == 1) {
      mean0 = mean;
      var0 = var;
      cov0 = cov;
      continue;
    }
    EXPECT_EQ(std::memcmp(mean.data(), mean0.data(), mean.size() * 8), 0) << t << " threads";
    EXPECT_EQ(std::memcmp(var.data(), var0.data(), var.size() * 8), 0) << t << " threads";
    EXPECT_EQ(std::memcmp(cov.data(), cov0.data(), cov.size() * 8), 0) << t << " threads";
  }
  set_num_threads(saved);
}

TEST(LinearOutputStats, ReusedObjectGivesTheSameResult) {
  const Case c{3000, 16, 96, true, 0.5f, 1.0f};
  const Data d = make_data(c, 5), other = make_data(c, 6);
  LinearOutputStats stats(c.rows, c.in_c);
  std::vector<double> m1(c.out_c), v1(c.out_c), m2(c.out_c), v2(c.out_c);
  stats.compute(d.x.data(), d.w.data(), d.b.data(), c.out_c, m1.data(), v1.data());
  stats.compute(other.x.data(), other.w.data(), nullptr, c.out_c, m2.data(), v2.data());
  stats.compute(d.x.data(), d.w.data(), d.b.data(), c.out_c, m2.data(), v2.data());
  EXPECT_EQ(std::memcmp(m1.data(), m2.data(), m1.size() * 8), 0);
  EXPECT_EQ(std::memcmp(v1.data(), v2.data(), v1.size() * 8), 0);
}

// Kernel parity: every ISA's covariance sums give the portable kernel's bits,
// at channel counts around the 8-float strips and blocks, and row
// counts around the 128-row chunks; entries below the diagonal stay untouched.
TEST(CovSumsKernels, EveryIsaMatchesThePortableKernelBitForBit) {
  const kernels::CovSumsF32Kernel& ref = kernels::cov_sums_f32_kernel(Isa::kScalar);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-10.0f, 10.0f);
  int compared = 0;
  for (const kernels::CovSumsF32Kernel& kern : kernels::cov_sums_f32_kernels()) {
    if (!cpu_supports(kern.isa) || kern.isa == Isa::kScalar) continue;
    for (int64_t k : {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 48, 64})
      for (int64_t rows : {1, 31, 127, 128, 129, 300}) {
        std::vector<float> x(rows * k), shift(k);
        for (float& v : x) v = u(rng);
        for (float& v : shift) v = u(rng);
        std::vector<double> a1(k, 0.5), a2(k * k, -7.0), b1(k, 0.5), b2(k * k, -7.0);
        std::vector<float> sa(kernels::cov_sums_scratch_floats(k)),
            sb(kernels::cov_sums_scratch_floats(k));
        ref.sums(x.data(), rows, k, shift.data(), a1.data(), a2.data(), sa.data());
        kern.sums(x.data(), rows, k, shift.data(), b1.data(), b2.data(), sb.data());
        const std::string what =
            std::string(kern.name) + " k " + std::to_string(k) + " rows " + std::to_string(rows);
        ASSERT_EQ(std::memcmp(a1.data(), b1.data(), k * 8), 0) << what;
        ASSERT_EQ(std::memcmp(a2.data(), b2.data(), k * k * 8), 0) << what;
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < i; ++j) ASSERT_EQ(b2[i * k + j], -7.0) << what;
        ++compared;
      }
  }
  if (compared == 0) GTEST_SKIP() << "this CPU runs only the portable kernel";
}

TEST(CovSumsKernels, PortableKernelSumsShiftedProducts) {
  // Two rows, k = 2, shift (1, 2): v = (1, 1), (3, -1).
  const float x[] = {2, 3, 4, 1}, shift[] = {1, 2};
  double s1[2] = {0, 0}, s2[4] = {0, 0, 0, 0};
  std::vector<float> scratch(kernels::cov_sums_scratch_floats(2));
  kernels::cov_sums_f32_kernel(Isa::kScalar).sums(x, 2, 2, shift, s1, s2, scratch.data());
  EXPECT_EQ(s1[0], 4.0);
  EXPECT_EQ(s1[1], 0.0);
  EXPECT_EQ(s2[0], 10.0);  // 1 + 9
  EXPECT_EQ(s2[1], -2.0);  // 1 - 3
  EXPECT_EQ(s2[3], 2.0);   // 1 + 1
  EXPECT_EQ(s2[2], 0.0);   // below the diagonal: untouched
}

}  // namespace
}  // namespace nas::ops
