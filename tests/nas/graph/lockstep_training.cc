#include "tests/nas/graph/lockstep_training.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace nas::graph::testing {

using ops::Tensor;

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() && std::memcmp(a.data(), b.data(), a.numel() * 4) == 0;
}

void expect_same_training_steps(Network& a, Network& b, ops::Shape x_shape, int steps,
                                const std::string& what) {
  Tensor x = Tensor::empty(x_shape), labels = Tensor::empty({x_shape[0]});
  Tensor one = Tensor::empty({1});
  one.fill(1.0f);
  for (int step = 0; step < steps; ++step) {
    for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37 * i + step);
    for (int64_t i = 0; i < labels.numel(); ++i) labels.data()[i] = float((i + step) % 3);
    const ops::OpContext ctx{true, uint64_t(step)};
    Tensor la = a.forward(std::vector<Tensor>{x, labels}, ctx)[0].clone();
    Tensor lb = b.forward(std::vector<Tensor>{x, labels}, ctx)[0];
    ASSERT_TRUE(same_bits(la, lb)) << what << ": loss, step " << step;
    a.backward(std::vector<Tensor>{one}, ctx);
    b.backward(std::vector<Tensor>{one}, ctx);
    auto& pa = a.parameters().all();
    auto& pb = b.parameters().all();
    ASSERT_EQ(pa.size(), pb.size()) << what;
    for (size_t k = 0; k < pa.size(); ++k) {
      ASSERT_EQ(pa[k].name, pb[k].name) << what;
      ASSERT_TRUE(same_bits(pa[k].grad, pb[k].grad))
          << what << ": " << pa[k].name << " grad, step " << step;
      // A plain SGD step so that later steps see changed weights.
      for (Parameter* p : {&pa[k], &pb[k]})
        for (int64_t i = 0; i < p->value.numel(); ++i) p->value.data()[i] -= 0.1f * p->grad.data()[i];
    }
  }
}

}  // namespace nas::graph::testing
