#include "tests/ops/testing/op_tester.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "ops/core/parallel.h"

namespace nas::ops::op_testing {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor nan_tensor(const Shape& s) {
  Tensor t = Tensor::empty(s);
  t.fill(kNaN);
  return t;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  if (!(a.shape() == b.shape())) return false;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const float x = a.data()[i], y = b.data()[i];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

std::vector<Tensor> clone_all(const std::vector<Tensor>& ts) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(t.defined() ? t.clone() : Tensor());
  return out;
}

}  // namespace

std::vector<double> to_double(const Tensor& t) {
  return std::vector<double>(t.data(), t.data() + t.numel());
}

OpTester::OpTester(std::string op_name, const OpRegistry* registry)
    : name_(std::move(op_name)), registry_(registry != nullptr ? registry : &op_registry()) {
  ctx_.seed = seed_;
}

OpTester& OpTester::input(const Shape& shape) {
  specs_.push_back({shape, InputSpec::Kind::kNormal, 0, {}, true});
  return *this;
}

OpTester& OpTester::labels(const Shape& shape, int64_t classes) {
  specs_.push_back({shape, InputSpec::Kind::kLabels, classes, {}, false});
  return *this;
}

OpTester& OpTester::input_values(const Shape& shape, std::vector<float> values,
                                 bool differentiable) {
  NAS_CHECK(static_cast<int64_t>(values.size()) == shape.numel());
  specs_.push_back({shape, InputSpec::Kind::kValues, 0, std::move(values), differentiable});
  return *this;
}

OpTester& OpTester::attrs(const OpAttrs& attrs) {
  attrs_ = attrs;
  return *this;
}

OpTester& OpTester::training(bool on) {
  ctx_.training = on;
  return *this;
}

OpTester& OpTester::seed(uint64_t seed) {
  seed_ = seed;
  ctx_.seed = seed;
  return *this;
}

OpTester& OpTester::param_scale(float scale) {
  param_scale_ = scale;
  return *this;
}

Status OpTester::create() {
  if (op_ != nullptr || !create_status_.is_ok()) return create_status_;
  std::vector<Shape> shapes;
  for (const InputSpec& s : specs_) shapes.push_back(s.shape);
  auto result = registry_->create(name_, attrs_, shapes);
  if (!result.is_ok()) {
    create_status_ = result.status();
    return create_status_;
  }
  op_ = result.take();
  std::mt19937_64 rng(seed_);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const InputSpec& s : specs_) {
    Tensor t = Tensor::empty(s.shape);
    for (int64_t i = 0; i < t.numel(); ++i) {
      switch (s.kind) {
        case InputSpec::Kind::kNormal:
          t.data()[i] = normal(rng);
          break;
        case InputSpec::Kind::kLabels:
          t.data()[i] = static_cast<float>(rng() % static_cast<uint64_t>(s.classes));
          break;
        case InputSpec::Kind::kValues:
          t.data()[i] = s.values[i];
          break;
      }
    }
    inputs_.push_back(t);
  }
  for (const ParamSpec& p : op_->param_specs()) {
    Tensor t = Tensor::empty(p.shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = param_scale_ * normal(rng);
    params_.push_back(t);
  }
  for (const Shape& s : op_->output_shapes()) outputs_.push_back(nan_tensor(s));
  return create_status_;
}

::testing::AssertionResult OpTester::created() {
  Status st = create();
  if (!st.is_ok())
    return ::testing::AssertionFailure() << "creating '" << name_ << "' failed: " << st.message();
  return ::testing::AssertionSuccess();
}

Op& OpTester::op() {
  NAS_CHECK(create().is_ok());
  return *op_;
}

std::vector<Tensor>& OpTester::inputs() {
  NAS_CHECK(create().is_ok());
  return inputs_;
}

std::vector<Tensor>& OpTester::params() {
  NAS_CHECK(create().is_ok());
  return params_;
}

const std::vector<Tensor>& OpTester::forward() {
  NAS_CHECK(create().is_ok());
  op_->forward(ctx_, inputs_, params_, outputs_);
  return outputs_;
}

::testing::AssertionResult OpTester::check_forward(const ReferenceFn& reference, double atol,
                                                   double rtol) {
  if (auto ok = created(); !ok) return ok;
  forward();
  const std::vector<std::vector<double>> want = reference(inputs_, params_);
  if (want.size() != outputs_.size())
    return ::testing::AssertionFailure()
           << name_ << ": reference gives " << want.size() << " outputs, op " << outputs_.size();
  for (std::size_t o = 0; o < want.size(); ++o) {
    if (static_cast<int64_t>(want[o].size()) != outputs_[o].numel())
      return ::testing::AssertionFailure()
             << name_ << ": output " << o << " has " << outputs_[o].numel()
             << " elements, reference " << want[o].size();
    for (int64_t i = 0; i < outputs_[o].numel(); ++i) {
      const double got = outputs_[o].data()[i], w = want[o][i];
      if (!(std::abs(got - w) <= atol + rtol * std::abs(w)))
        return ::testing::AssertionFailure() << name_ << ": output " << o << " element " << i
                                             << " is " << got << ", reference " << w;
    }
  }
  return ::testing::AssertionSuccess();
}

double OpTester::projected_loss(const std::vector<Tensor>& projection) {
  op_->forward(ctx_, inputs_, params_, outputs_);
  double l = 0.0;
  for (std::size_t o = 0; o < outputs_.size(); ++o)
    for (int64_t i = 0; i < outputs_[o].numel(); ++i)
      l += static_cast<double>(projection[o].data()[i]) * outputs_[o].data()[i];
  return l;
}

std::vector<Tensor> OpTester::new_input_grads() {
  std::vector<Tensor> g;
  for (std::size_t i = 0; i < specs_.size(); ++i)
    g.push_back(specs_[i].differentiable ? nan_tensor(specs_[i].shape) : Tensor());
  return g;
}

std::vector<Tensor> OpTester::new_param_grads() {
  std::vector<Tensor> g;
  for (const ParamSpec& p : op_->param_specs()) g.push_back(nan_tensor(p.shape));
  return g;
}

void OpTester::forward_backward(const std::vector<Tensor>& output_grads,
                                std::vector<Tensor>& input_grads,
                                std::vector<Tensor>& param_grads) {
  op_->forward(ctx_, inputs_, params_, outputs_);
  op_->backward(ctx_, inputs_, params_, outputs_, output_grads, input_grads, param_grads);
}

::testing::AssertionResult OpTester::check_gradients(const GradCheckOptions& opt) {
  if (auto ok = created(); !ok) return ok;
  std::mt19937_64 rng(seed_ ^ 0x5eedull);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<Tensor> projection;
  for (const Shape& s : op_->output_shapes()) {
    Tensor r = Tensor::empty(s);
    for (int64_t i = 0; i < r.numel(); ++i) r.data()[i] = normal(rng);
    projection.push_back(r);
  }

  // Analytic gradients; NaN-filled buffers catch "+=" instead of "=".
  std::vector<Tensor> din = new_input_grads(), dparam = new_param_grads();
  forward_backward(projection, din, dparam);
  double abs_sum = 0.0;
  for (std::size_t o = 0; o < outputs_.size(); ++o)
    for (int64_t i = 0; i < outputs_[o].numel(); ++i)
      abs_sum += std::abs(static_cast<double>(projection[o].data()[i]) * outputs_[o].data()[i]);
  const double noise = opt.forward_rel_error * abs_sum / opt.eps;

  // Which tensors to perturb, with their analytic gradients.
  struct Target {
    std::string what;
    Tensor value, grad;
  };
  std::vector<Target> targets;
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    if (specs_[i].differentiable)
      targets.push_back({"input " + std::to_string(i), inputs_[i], din[i]});
  for (std::size_t p = 0; p < params_.size(); ++p)
    targets.push_back({"param '" + op_->param_specs()[p].name + "'", params_[p], dparam[p]});

  const double l0 = projected_loss(projection);
  int64_t checked = 0, kinks = 0;
  std::ostringstream failures;
  int failure_count = 0;
  for (Target& t : targets) {
    for (int64_t i = 0; i < t.grad.numel(); ++i)
      if (std::isnan(t.grad.data()[i]))
        return ::testing::AssertionFailure()
               << name_ << ": backward left " << t.what << " grad[" << i
               << "] unwritten or accumulated into it (it must overwrite)";
    std::vector<int64_t> idx(t.value.numel());
    std::iota(idx.begin(), idx.end(), 0);
    if (static_cast<int64_t>(idx.size()) > opt.max_elements_per_tensor) {
      std::shuffle(idx.begin(), idx.end(), rng);
      idx.resize(opt.max_elements_per_tensor);
    }
    for (int64_t i : idx) {
      float* x = t.value.data() + i;
      const float x0 = *x;
      const float xp = x0 + static_cast<float>(opt.eps), xm = x0 - static_cast<float>(opt.eps);
      *x = xp;
      const double lp = projected_loss(projection);
      *x = xm;
      const double lm = projected_loss(projection);
      *x = x0;
      const double central = (lp - lm) / (static_cast<double>(xp) - xm);
      const double ahead = (lp - l0) / (static_cast<double>(xp) - x0);
      const double behind = (l0 - lm) / (static_cast<double>(x0) - xm);
      const double analytic = t.grad.data()[i];
      const double err = std::abs(central - analytic);
      const double tol =
          opt.atol + opt.rtol * std::max(std::abs(central), std::abs(analytic)) + noise;
      ++checked;
      if (err <= tol) continue;
      if (std::abs(ahead - behind) >= err) {
        ++kinks;
        continue;
      }
      if (failure_count++ < 5)
        failures << "\n  " << t.what << "[" << i << "]: analytic " << analytic << ", numeric "
                 << central << " (tolerance " << tol << ")";
    }
  }
  projected_loss(projection);  // leave the outputs of the unperturbed inputs
  if (failure_count > 0)
    return ::testing::AssertionFailure()
           << name_ << ": " << failure_count << " of " << checked
           << " gradient elements differ from finite differences" << failures.str();
  if (checked == 0)
    return ::testing::AssertionFailure() << name_
                                         << ": nothing to check (no differentiable "
                                            "inputs or params)";
  if (kinks > opt.max_kink_fraction * checked)
    return ::testing::AssertionFailure() << name_ << ": " << kinks << " of " << checked
                                         << " elements sit on a kink within eps; use a smaller eps";

  // Undefined gradients are skipped, and skipping one changes no other.
  const std::size_t slots = din.size() + dparam.size();
  for (std::size_t k = 0; k < slots; ++k) {
    const bool is_input = k < din.size();
    const Tensor& reference = is_input ? din[k] : dparam[k - din.size()];
    if (!reference.defined()) continue;
    std::vector<Tensor> gi(din.size()), gp(dparam.size());
    Tensor& only = is_input ? gi[k] : gp[k - din.size()];
    only = nan_tensor(reference.shape());
    forward_backward(projection, gi, gp);
    if (!same_bits(only, reference))
      return ::testing::AssertionFailure()
             << name_ << ": gradient " << k << " changes when the other gradients are skipped";
  }
  std::vector<Tensor> none_in(din.size()), none_param(dparam.size());
  forward_backward(projection, none_in, none_param);  // must not touch anything (or crash)
  return ::testing::AssertionSuccess() << checked << " elements checked, " << kinks << " kinks";
}

::testing::AssertionResult OpTester::check_cost_sanity() {
  if (auto ok = created(); !ok) return ok;
  const OpCost c = op_->cost();
  int64_t in = 0, out = 0, params = 0;
  for (const Shape& s : op_->input_shapes()) in += s.numel();
  for (const Shape& s : op_->output_shapes()) out += s.numel();
  for (const ParamSpec& p : op_->param_specs()) params += p.shape.numel();
  std::ostringstream bad;
  if (op_->input_shapes().size() != specs_.size()) bad << " input_shapes() has the wrong count;";
  for (std::size_t i = 0; i < specs_.size() && i < op_->input_shapes().size(); ++i)
    if (!(op_->input_shapes()[i] == specs_[i].shape))
      bad << " input_shapes()[" << i << "] differs;";
  if (c.params != params) bad << " params " << c.params << " != " << params << ";";
  if (c.bytes_read != 4 * (in + params))
    bad << " bytes_read " << c.bytes_read << " != " << 4 * (in + params) << ";";
  if (c.bytes_written != 4 * out)
    bad << " bytes_written " << c.bytes_written << " != " << 4 * out << ";";
  if (c.macs < 0 || c.flops_other < 0) bad << " negative macs or flops;";
  if (std::string(op_->name()) != name_) bad << " name() is '" << op_->name() << "';";
  if (!bad.str().empty()) return ::testing::AssertionFailure() << name_ << ":" << bad.str();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult OpTester::check_deterministic(std::initializer_list<int> thread_counts) {
  if (auto ok = created(); !ok) return ok;
  const int saved = num_threads();
  std::mt19937_64 rng(seed_ ^ 0xd37ull);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<Tensor> dy;
  for (const Shape& s : op_->output_shapes()) {
    Tensor r = Tensor::empty(s);
    for (int64_t i = 0; i < r.numel(); ++i) r.data()[i] = normal(rng);
    dy.push_back(r);
  }
  std::vector<Tensor> first_out, first_din, first_dparam;
  bool first = true;
  std::string failure;
  for (int threads : thread_counts) {
    set_num_threads(threads);
    std::vector<Tensor> din = new_input_grads(), dparam = new_param_grads();
    forward_backward(dy, din, dparam);
    if (first) {
      first_out = clone_all(outputs_);
      first_din = din;
      first_dparam = dparam;
      first = false;
      continue;
    }
    for (std::size_t i = 0; i < outputs_.size() && failure.empty(); ++i)
      if (!same_bits(outputs_[i], first_out[i])) failure = "output " + std::to_string(i);
    for (std::size_t i = 0; i < din.size() && failure.empty(); ++i)
      if (!same_bits(din[i], first_din[i])) failure = "input grad " + std::to_string(i);
    for (std::size_t i = 0; i < dparam.size() && failure.empty(); ++i)
      if (!same_bits(dparam[i], first_dparam[i])) failure = "param grad " + std::to_string(i);
    if (!failure.empty()) {
      set_num_threads(saved);
      return ::testing::AssertionFailure()
             << name_ << ": " << failure << " differs on " << threads << " threads";
    }
  }
  set_num_threads(saved);
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult OpTester::check_conformance(const GradCheckOptions& options) {
  if (auto r = check_cost_sanity(); !r) return r;
  if (auto r = check_deterministic(); !r) return r;
  return check_gradients(options);
}

}  // namespace nas::ops::op_testing
