#include "ops/supernet/weighted_sum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nas::ops {
namespace {

// Reference in double: y = sum softmax(alpha)_i x_i.
TEST(WeightedSum, ForwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences) {
  const Shape s{2, 3, 3, 5};
  std::vector<Shape> shapes(3, s);
  auto op = op_registry().create("weighted_sum", {}, shapes).take();
  ASSERT_EQ(op->param_specs()[0].kind, ParamKind::kArchitecture);
  std::vector<Tensor> x;
  for (int i = 0; i < 3; ++i) {
    x.push_back(Tensor::empty(s));
    for (int64_t j = 0; j < s.numel(); ++j) x[i].data()[j] = std::sin(0.1 * j + i);
  }
  Tensor alpha = Tensor::empty({3});
  alpha.data()[0] = 0.5f; alpha.data()[1] = -1.0f; alpha.data()[2] = 0.25f;
  Tensor y = Tensor::empty(s);
  std::vector<Tensor> out{y};
  op->forward({}, x, std::vector<Tensor>{alpha}, out);
  double e[3], z = 0;
  for (int i = 0; i < 3; ++i) z += e[i] = std::exp(double(alpha.data()[i]));
  for (int64_t j = 0; j < s.numel(); ++j) {
    double r = 0;
    for (int i = 0; i < 3; ++i) r += e[i] / z * x[i].data()[j];
    ASSERT_NEAR(y.data()[j], r, 1e-6);
  }
  // d/dalpha of sum(y * probe), by central differences in double.
  Tensor probe = Tensor::empty(s);
  for (int64_t j = 0; j < s.numel(); ++j) probe.data()[j] = std::cos(0.3 * j);
  std::vector<Tensor> dx{Tensor::empty(s), Tensor::empty(s), Tensor::empty(s)};
  std::vector<Tensor> dalpha{Tensor::empty({3})};
  op->backward({}, x, std::vector<Tensor>{alpha}, out, std::vector<Tensor>{probe}, dx, dalpha);
  auto loss = [&](const double* a) {
    double zz = 0, ee[3];
    for (int i = 0; i < 3; ++i) zz += ee[i] = std::exp(a[i]);
    double l = 0;
    for (int64_t j = 0; j < s.numel(); ++j)
      for (int i = 0; i < 3; ++i) l += ee[i] / zz * x[i].data()[j] * probe.data()[j];
    return l;
  };
  for (int k = 0; k < 3; ++k) {
    double a[3] = {alpha.data()[0], alpha.data()[1], alpha.data()[2]};
    a[k] += 1e-5;
    const double up = loss(a);
    a[k] -= 2e-5;
    const double down = loss(a);
    EXPECT_NEAR(dalpha[0].data()[k], (up - down) / 2e-5, 1e-4);
  }
  for (int64_t j = 0; j < s.numel(); ++j) ASSERT_NEAR(dx[1].data()[j], e[1] / z * probe.data()[j], 1e-6);
  EXPECT_EQ(op->cost().params, 3);
  EXPECT_EQ(op->cost().macs, 3 * s.numel());
}

TEST(WeightedSum, RejectsMismatchedShapes) {
  std::vector<Shape> shapes{{1, 2, 2, 3}, {1, 2, 2, 4}};
  auto r = op_registry().create("weighted_sum", {}, shapes);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("[1,2,2,3] and [1,2,2,4]"), std::string::npos);
}

}  // namespace
}  // namespace nas::ops
