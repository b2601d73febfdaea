#include "tests/ops/seq/seq_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace nas::ops::testing {

std::vector<float> random_floats(int64_t n, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

namespace {
Vec to_double(const std::vector<float>& v) { return Vec(v.begin(), v.end()); }
Tensor to_tensor(const std::vector<float>& v, const Shape& s) {
  Tensor t = Tensor::empty(s);
  std::copy(v.begin(), v.end(), t.data());
  return t;
}
// Indices to probe: all when few, else an even spread.
std::vector<int64_t> probes(int64_t n, int count) {
  std::vector<int64_t> idx;
  if (n <= count) {
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    for (int i = 0; i < count; ++i) idx.push_back((i * n) / count + (i * 7) % std::max<int64_t>(1, n / count));
  }
  return idx;
}
}  // namespace

void check_op(const std::string& name, const OpAttrs& attrs, const std::vector<Shape>& inputs,
              const RefFn& ref, const CheckOptions& opt) {
  SCOPED_TRACE(name);
  auto created = op_registry().create(name, attrs, inputs);
  ASSERT_TRUE(created.is_ok()) << created.status().message();
  std::unique_ptr<Op> op = created.take();
  uint64_t seed = opt.seed;
  std::vector<std::vector<float>> in_f, par_f;
  std::vector<Tensor> in_t, par_t;
  for (size_t i = 0; i < inputs.size(); ++i) {
    in_f.push_back(random_floats(inputs[i].numel(), ++seed));
    if (opt.fill_input) opt.fill_input(static_cast<int>(i), in_f.back());
    in_t.push_back(to_tensor(in_f.back(), inputs[i]));
  }
  for (const ParamSpec& p : op->param_specs()) {
    par_f.push_back(random_floats(p.shape.numel(), ++seed, -0.5f, 0.5f));
    par_t.push_back(to_tensor(par_f.back(), p.shape));
  }
  ASSERT_EQ(op->output_shapes().size(), 1u);
  Tensor out = Tensor::empty(op->output_shapes()[0]);
  std::vector<Tensor> outs{out};
  OpContext ctx;
  op->forward(ctx, in_t, par_t, outs);

  std::vector<Vec> in_d, par_d;
  for (auto& v : in_f) in_d.push_back(to_double(v));
  for (auto& v : par_f) par_d.push_back(to_double(v));
  const Vec expect = ref(in_d, par_d);
  ASSERT_EQ(static_cast<int64_t>(expect.size()), out.numel());
  double ref_max = 0.0, err = 0.0;
  for (int64_t i = 0; i < out.numel(); ++i) {
    ref_max = std::max(ref_max, std::abs(expect[i]));
    err = std::max(err, std::abs(expect[i] - out.data()[i]));
  }
  EXPECT_LE(err / (1.0 + ref_max), opt.forward_tol) << "forward max abs error " << err;

  // Backward with random output weights R: L = sum(R * y).
  const std::vector<float> r = random_floats(out.numel(), ++seed);
  std::vector<Tensor> dy{to_tensor(r, out.shape())};
  std::vector<Tensor> din, dpar;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bool diff = opt.input_differentiable.empty() || opt.input_differentiable[i];
    din.push_back(diff ? Tensor::empty(inputs[i]) : Tensor());
    if (diff) din.back().fill(1e30f);  // backward must overwrite, not add
  }
  for (const ParamSpec& p : op->param_specs()) {
    dpar.push_back(Tensor::empty(p.shape));
    dpar.back().fill(1e30f);
  }
  op->backward(ctx, in_t, par_t, outs, dy, din, dpar);

  auto loss = [&](const std::vector<Vec>& a, const std::vector<Vec>& b) {
    const Vec y = ref(a, b);
    double l = 0.0;
    for (size_t i = 0; i < y.size(); ++i) l += r[i] * y[i];
    return l;
  };
  auto check_tensor = [&](const std::string& what, std::vector<Vec>& set, size_t k,
                          const Tensor& grad) {
    SCOPED_TRACE(what);
    const double h = 1e-5;
    double worst = 0.0, gmax = 0.0;
    std::vector<std::pair<double, double>> pairs;
    for (int64_t i : probes(grad.numel(), opt.probes)) {
      const double keep = set[k][i];
      set[k][i] = keep + h;
      const double lp = loss(in_d, par_d);
      set[k][i] = keep - h;
      const double lm = loss(in_d, par_d);
      set[k][i] = keep;
      const double fd = (lp - lm) / (2 * h);
      pairs.push_back({fd, grad.data()[i]});
      gmax = std::max(gmax, std::abs(fd));
    }
    for (auto [fd, g] : pairs) worst = std::max(worst, std::abs(fd - g));
    EXPECT_LE(worst / (1e-3 + gmax), opt.grad_tol) << "max |fd - grad| " << worst
                                                  << ", max |fd| " << gmax;
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    if (din[i].defined()) check_tensor("input " + std::to_string(i), in_d, i, din[i]);
  for (size_t p = 0; p < dpar.size(); ++p)
    check_tensor("param " + op->param_specs()[p].name, par_d, p, dpar[p]);
}

}  // namespace nas::ops::testing
