// BatchNorm::set_batch_stats: a training forward that normalises with given
// batch statistics instead of its own, updates the running statistics from
// them, and is one-shot.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/layers/batch_norm.h"

namespace nas::ops {
namespace {

struct Bn {
  std::unique_ptr<Op> op;
  BatchNorm* bn;
  Tensor gamma, beta;
};

Bn make(const Shape& shape) {
  OpAttrs a;
  a.eps = 1e-5f;
  a.momentum = 0.25f;
  Bn b;
  b.op = BatchNorm::create(a, std::span<const Shape>(&shape, 1)).take();
  b.bn = static_cast<BatchNorm*>(b.op.get());
  b.gamma = Tensor::empty({shape[1]});
  b.beta = Tensor::empty({shape[1]});
  for (int64_t j = 0; j < shape[1]; ++j) {
    b.gamma.data()[j] = 0.5f + 0.1f * float(j);
    b.beta.data()[j] = -0.3f * float(j);
  }
  return b;
}

Tensor run(Bn& b, const Tensor& x) {
  Tensor y = Tensor::empty(x.shape());
  std::vector<Tensor> in{x}, params{b.gamma, b.beta}, out{y};
  b.op->forward(OpContext{true, 0}, in, params, out);
  return y;
}

TEST(BatchNormGivenStats, NormalisesWithTheGivenStatisticsOnce) {
  const int64_t rows = 1000, c = 5;
  Tensor x = Tensor::empty({rows, c});
  std::mt19937 rng(4);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = 10.0f + 2.0f * g(rng);
  // The batch's own statistics in double.
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) mean[j] += x.data()[r * c + j] / double(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      const double d = x.data()[r * c + j] - mean[j];
      var[j] += d * d / double(rows);
    }

  // Given the batch's own statistics: the output of BN's own pass.
  Bn own = make(x.shape()), given = make(x.shape());
  const Tensor y_own = run(own, x);
  given.bn->set_batch_stats(mean, var);
  const Tensor y_given = run(given, x);
  for (int64_t i = 0; i < x.numel(); ++i)
    ASSERT_NEAR(y_given.data()[i], y_own.data()[i], 1e-5f) << i;
  for (int64_t j = 0; j < c; ++j) {
    EXPECT_NEAR(given.bn->running_mean().data()[j], own.bn->running_mean().data()[j], 1e-6f);
    EXPECT_NEAR(given.bn->running_var().data()[j], own.bn->running_var().data()[j], 1e-6f);
  }

  // Other statistics: the output and the running statistics follow them
  // (momentum 0.25 from mean 0, variance 1; the variance made unbiased).
  Bn other = make(x.shape());
  std::vector<double> mean2(c), var2(c);
  for (int64_t j = 0; j < c; ++j) {
    mean2[j] = mean[j] + 1.0;
    var2[j] = 4.0 * var[j];
  }
  other.bn->set_batch_stats(mean2, var2);
  const Tensor y2 = run(other, x);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      const double want =
          (x.data()[r * c + j] - mean2[j]) * other.gamma.data()[j] / std::sqrt(var2[j] + 1e-5) +
          other.beta.data()[j];
      ASSERT_NEAR(y2.data()[r * c + j], want, 1e-5) << r << "," << j;
    }
  for (int64_t j = 0; j < c; ++j) {
    EXPECT_NEAR(other.bn->running_mean().data()[j], 0.25 * mean2[j], 1e-5);
    EXPECT_NEAR(other.bn->running_var().data()[j],
                0.75 + 0.25 * var2[j] * double(rows) / double(rows - 1), 1e-5);
  }

  // One-shot: the next forward computes its own statistics again.
  Bn fresh = make(x.shape());
  run(fresh, x);
  const Tensor y3 = run(other, x), y_fresh = run(fresh, x);
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_EQ(y3.data()[i], y_fresh.data()[i]) << i;
}

}  // namespace
}  // namespace nas::ops
