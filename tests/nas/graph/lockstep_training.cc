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

namespace {

void fill_batch(Tensor& x, Tensor& labels, int step) {
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37 * i + step);
  for (int64_t i = 0; i < labels.numel(); ++i) labels.data()[i] = float((i + step) % 3);
}

}  // namespace

void expect_same_training_steps(Network& a, Network& b, ops::Shape x_shape, int steps,
                                const std::string& what) {
  Tensor x = Tensor::empty(x_shape), labels = Tensor::empty({x_shape[0]});
  Tensor one = Tensor::empty({1});
  one.fill(1.0f);
  for (int step = 0; step < steps; ++step) {
    fill_batch(x, labels, step);
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

void expect_gradients_match_finite_differences(Network& net, ops::Shape x_shape,
                                               const std::vector<std::string>& names,
                                               int min_checked) {
  Tensor x = Tensor::empty(x_shape), labels = Tensor::empty({x_shape[0]});
  fill_batch(x, labels, 0);
  auto loss = [&] {
    return double(net.forward(std::vector<Tensor>{x, labels}, {true, 0})[0].data()[0]);
  };
  loss();
  Tensor one = Tensor::empty({1});
  one.fill(1.0f);
  net.backward(std::vector<Tensor>{one}, {true, 0});
  int checked = 0;
  for (const std::string& name : names) {
    Parameter* p = net.parameters().find(name);
    ASSERT_NE(p, nullptr) << name;
    const std::vector<float> grad(p->grad.data(), p->grad.data() + p->grad.numel());
    for (int64_t i = 0; i < p->value.numel(); i += 5) {
      const float v = p->value.data()[i];
      const float eps = 1e-2f;
      p->value.data()[i] = v + eps;
      const double up = loss();
      p->value.data()[i] = v - eps;
      const double down = loss();
      p->value.data()[i] = v;
      const double fd = (up - down) / (2 * eps);
      EXPECT_NEAR(grad[i], fd, 2e-3 + 2e-2 * std::abs(fd)) << name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, min_checked);
}

void add_expand_depthwise(NetworkSpec& s, int x, int64_t expand, int stride) {
  ops::OpAttrs conv;
  conv.out_channels = expand;
  conv.kernel = 1;
  EXPECT_TRUE(s.add_node("expand", "conv2d", conv, {{x, 0}}));
  EXPECT_TRUE(s.then("bn_e", "batch_norm"));
  EXPECT_TRUE(s.then("act_e", "relu6"));
  ops::OpAttrs dw;
  dw.kernel = 3;
  dw.stride = stride;
  EXPECT_TRUE(s.then("dw", "depthwise_conv2d", dw));
  EXPECT_TRUE(s.then("bn_d", "batch_norm"));
  EXPECT_TRUE(s.then("act_d", "relu6"));
}

void add_classifier_head(NetworkSpec& s, int labels) {
  EXPECT_TRUE(s.then("pool", "global_avg_pool"));
  ops::OpAttrs fc;
  fc.out_channels = 3;
  fc.bias = true;
  const int logits = s.then("fc", "linear", fc).value();
  EXPECT_TRUE(s.add_node("loss", "softmax_cross_entropy", {}, {{logits, 0}, {labels, 0}}));
}

}  // namespace nas::graph::testing
