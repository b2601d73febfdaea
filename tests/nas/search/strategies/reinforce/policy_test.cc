// The two REINFORCE policies: their gradients against central finite
// differences of their own loss, sampling agreeing with the probabilities
// the loss computes, and bit-identical results on 1 and 2 threads.
#include "nas/search/strategies/reinforce/policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "nas/search/strategies/reinforce/independent_policy.h"
#include "nas/search/strategies/reinforce/lstm_policy.h"
#include "ops/core/parallel.h"

namespace nas::search::reinforce {
namespace {

std::vector<space::Decision> decisions(const std::vector<int>& choices) {
  std::vector<space::Decision> out;
  for (size_t i = 0; i < choices.size(); ++i) {
    // Appending (not literal + string) avoids g++ 12's false -Wrestrict.
    space::Decision d{std::string("d").append(std::to_string(i)), {}};
    for (int c = 0; c < choices[i]; ++c)
      d.choices.push_back(std::string("c").append(std::to_string(c)));
    out.push_back(d);
  }
  return out;
}

struct GradCase {
  std::string name;
  bool lstm;
  double temperature, tanh_constant;
};

void PrintTo(const GradCase& c, std::ostream* os) { *os << c.name; }

class PolicyGradient : public ::testing::TestWithParam<GradCase> {};

// Every parameter element's analytic gradient against a central difference
// of the loss, at weights drawn wider than the init so that every path
// (tanh saturation, LSTM gates) is exercised.
TEST_P(PolicyGradient, MatchesFiniteDifferences) {
  const GradCase& p = GetParam();
  const auto ds = decisions({3, 1, 4, 2});
  std::unique_ptr<Policy> policy =
      p.lstm ? make_lstm_policy(ds, 5, p.temperature, p.tanh_constant, 7)
             : make_independent_policy(ds, p.temperature, p.tanh_constant);
  train::Rng rng(99);
  for (const auto& prm : policy->params().params)
    for (int64_t i = 0; i < prm.value.numel(); ++i)
      prm.value.data()[i] = 1.5f * (2.0f * rng.uniform_float() - 1.0f);
  const std::vector<space::Genotype> gs = {
      {0, 0, 3, 1}, {2, 0, 0, 0}, {1, 0, 2, 1}, {2, 0, 3, 0}, {0, 0, 1, 1}};
  const std::vector<double> adv = {0.7, -1.2, 0.4, 2.0, -0.3};
  const double ew = 0.25;
  policy->loss(gs, adv, ew, true);
  int64_t checked = 0, nonzero = 0;
  for (const auto& prm : policy->params().params) {
    const std::vector<float> analytic(prm.grad.data(), prm.grad.data() + prm.grad.numel());
    for (int64_t i = 0; i < prm.value.numel(); ++i) {
      float& w = prm.value.data()[i];
      const float saved = w;
      const float eps = 2e-3f;
      w = saved + eps;
      const double up = policy->loss(gs, adv, ew, false).loss;
      w = saved - eps;
      const double down = policy->loss(gs, adv, ew, false).loss;
      w = saved;
      const double numeric = (up - down) / (2.0 * eps);
      EXPECT_NEAR(analytic[i], numeric, 2e-3 + 2e-2 * std::abs(numeric))
          << prm.name << "[" << i << "]";
      ++checked;
      if (std::abs(numeric) > 1e-3) ++nonzero;
    }
  }
  EXPECT_GT(nonzero, checked / 2) << "most parameters must matter to the loss";
}

INSTANTIATE_TEST_SUITE_P(Policies, PolicyGradient,
                         ::testing::Values(GradCase{"lstm_tanh", true, 1.5, 2.0},
                                           GradCase{"lstm_plain", true, 0.8, 0},
                                           GradCase{"independent_tanh", false, 1.5, 2.0},
                                           GradCase{"independent_plain", false, 0.8, 0}),
                         [](const auto& info) { return info.param.name; });

// The probabilities loss() computes by teacher forcing are the ones sample()
// draws from: empirical frequencies over 20,000 draws of a 3 x 2 space.
TEST(LstmPolicy, SamplesFollowTheLossProbabilities) {
  const auto ds = decisions({3, 2});
  auto policy = make_lstm_policy(ds, 8, 1.0, 0.0, 3);
  train::Rng init(5);
  for (const auto& prm : policy->params().params)
    for (int64_t i = 0; i < prm.value.numel(); ++i)
      prm.value.data()[i] = 0.8f * (2.0f * init.uniform_float() - 1.0f);
  std::map<space::Genotype, int> counts;
  const int n = 20000;
  train::Rng rng(11);
  for (int i = 0; i < n; ++i) ++counts[policy->sample(rng)];
  double total = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 2; ++b) {
      const space::Genotype g = {a, b};
      const double p = std::exp(policy->loss({&g, 1}, std::vector<double>{0.0}, 0, false).log_prob);
      total += p;
      const double sd = std::sqrt(p * (1 - p) / n);
      EXPECT_NEAR(counts[g] / static_cast<double>(n), p, 4.5 * sd) << a << "," << b;
    }
  EXPECT_NEAR(total, 1.0, 1e-5);
}

// The loss, gradients and samples of a batch are the same bits on 1 and 2 threads.
TEST(LstmPolicy, SameBitsOnOneAndTwoThreads) {
  const auto ds = decisions({4, 3, 5, 2, 4, 4, 3});
  auto run = [&](int threads) {
    ops::set_num_threads(threads);
    auto policy = make_lstm_policy(ds, 64, 5.0, 2.5, 21);
    train::Rng rng(4);
    std::vector<space::Genotype> gs;
    for (int i = 0; i < 16; ++i) gs.push_back(policy->sample(rng));
    std::vector<double> adv;
    for (int i = 0; i < 16; ++i) adv.push_back(0.1 * i - 0.7);
    const double loss = policy->loss(gs, adv, 0.01, true).loss;
    std::vector<float> grads;
    for (const auto& prm : policy->params().params)
      grads.insert(grads.end(), prm.grad.data(), prm.grad.data() + prm.grad.numel());
    return std::make_tuple(gs, loss, grads);
  };
  const int before = ops::num_threads();
  const auto one = run(1);
  const auto two = run(2);
  ops::set_num_threads(before);
  EXPECT_EQ(std::get<0>(one), std::get<0>(two));
  EXPECT_EQ(std::get<1>(one), std::get<1>(two));
  EXPECT_EQ(std::get<2>(one), std::get<2>(two));
}

TEST(IndependentPolicy, StartsUniform) {
  const auto ds = decisions({4, 1, 3});
  auto policy = make_independent_policy(ds, 5.0, 2.5);
  const space::Genotype g = {2, 0, 1};
  const LossStats s = policy->loss({&g, 1}, std::vector<double>{1.0}, 0, false);
  EXPECT_NEAR(s.log_prob, std::log(1.0 / 12), 1e-9);
  EXPECT_NEAR(s.entropy, std::log(12.0), 1e-9);
}

}  // namespace
}  // namespace nas::search::reinforce
