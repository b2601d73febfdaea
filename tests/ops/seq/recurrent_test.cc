// lstm, gru, rnn_tanh: double references, finite differences, and the step
// API (unrolled by hand) against the sequence ops.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/seq/gru.h"
#include "ops/seq/lstm.h"
#include "ops/seq/rnn.h"
#include "tests/ops/seq/seq_check.h"

namespace nas::ops {
namespace {

using testing::Vec;

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

enum class Kind { kLstm, kGru, kRnn };

// Double reference over [B, T, I] with h0 = c0 = 0, PyTorch gate orders.
testing::RefFn recurrent_ref(Kind kind, int64_t B, int64_t T, int64_t I, int64_t H) {
  return [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
    const int64_t G = kind == Kind::kLstm ? 4 : kind == Kind::kGru ? 3 : 1;
    Vec y(B * T * H);
    for (int64_t b = 0; b < B; ++b) {
      Vec h(H, 0.0), c(H, 0.0);
      for (int64_t t = 0; t < T; ++t) {
        const double* x = &in[0][(b * T + t) * I];
        Vec xg(G * H), hg(G * H);
        for (int64_t o = 0; o < G * H; ++o) {
          double ax = 0, ah = 0;
          for (int64_t i = 0; i < I; ++i) ax += x[i] * p[0][i * G * H + o];
          for (int64_t j = 0; j < H; ++j) ah += h[j] * p[1][j * G * H + o];
          xg[o] = ax + p[2][o];
          hg[o] = ah + (kind == Kind::kGru ? p[3][o] : 0.0);
        }
        Vec hn(H);
        for (int64_t j = 0; j < H; ++j) {
          if (kind == Kind::kLstm) {
            auto g = [&](int k) { return xg[k * H + j] + hg[k * H + j]; };
            const double ig = sig(g(0)), fg = sig(g(1)), gg = std::tanh(g(2)), og = sig(g(3));
            c[j] = fg * c[j] + ig * gg;
            hn[j] = og * std::tanh(c[j]);
          } else if (kind == Kind::kGru) {
            const double r = sig(xg[j] + hg[j]), z = sig(xg[H + j] + hg[H + j]);
            const double n = std::tanh(xg[2 * H + j] + r * hg[2 * H + j]);
            hn[j] = (1 - z) * n + z * h[j];
          } else {
            hn[j] = std::tanh(xg[j] + hg[j]);
          }
        }
        h = hn;
        for (int64_t j = 0; j < H; ++j) y[(b * T + t) * H + j] = h[j];
      }
    }
    return y;
  };
}

TEST(Recurrent, MatchReferenceAndFiniteDifferences) {
  const int64_t B = 3, T = 5, I = 4, H = 6;
  OpAttrs a;
  a.hidden = H;
  testing::CheckOptions opt;
  opt.probes = 30;
  testing::check_op("lstm", a, {Shape{B, T, I}}, recurrent_ref(Kind::kLstm, B, T, I, H), opt);
  testing::check_op("gru", a, {Shape{B, T, I}}, recurrent_ref(Kind::kGru, B, T, I, H), opt);
  testing::check_op("rnn_tanh", a, {Shape{B, T, I}}, recurrent_ref(Kind::kRnn, B, T, I, H), opt);
}

TEST(Recurrent, CostCountsOneGemmPerGate) {
  OpAttrs a;
  a.hidden = 256;
  std::vector<Shape> in{Shape{32, 100, 128}};
  EXPECT_EQ(op_registry().create("lstm", a, in).value()->cost().macs, 100 * 32 * 4 * 256 * (128 + 256));
  EXPECT_EQ(op_registry().create("gru", a, in).value()->cost().macs, 100 * 32 * 3 * 256 * (128 + 256));
  EXPECT_EQ(op_registry().create("rnn_tanh", a, in).value()->cost().params, (128 + 256) * 256 + 256);
  a.hidden = 0;
  EXPECT_FALSE(op_registry().create("lstm", a, in).is_ok());
}

// Fixed random data for the step tests.
struct Data {
  std::vector<Tensor> params, dparams_op, dparams_step;
  Tensor x, dy;  // [B, T, I], [B, T, H]
};

Data make_data(const Op& op, int64_t B, int64_t T, int64_t I, int64_t H) {
  Data d;
  uint64_t seed = 5;
  auto rnd = [&](const Shape& s, float scale) {
    Tensor t = Tensor::empty(s);
    auto v = testing::random_floats(s.numel(), ++seed, -scale, scale);
    std::copy(v.begin(), v.end(), t.data());
    return t;
  };
  for (const ParamSpec& p : op.param_specs()) {
    d.params.push_back(rnd(p.shape, 0.4f));
    d.dparams_op.push_back(Tensor::empty(p.shape));
    d.dparams_step.push_back(Tensor::zeros(p.shape));
  }
  d.x = rnd(Shape{B, T, I}, 1.0f);
  d.dy = rnd(Shape{B, T, H}, 1.0f);
  return d;
}

// Row t of a [B, T, X] tensor as a fresh [B, X] tensor, and back.
Tensor take_step(const Tensor& seq, int64_t t) {
  const int64_t B = seq.dim(0), T = seq.dim(1), X = seq.dim(2);
  Tensor r = Tensor::empty(Shape{B, X});
  for (int64_t b = 0; b < B; ++b)
    std::copy(seq.data() + (b * T + t) * X, seq.data() + (b * T + t + 1) * X, r.data() + b * X);
  return r;
}

void expect_close(const Tensor& a, const Tensor& b, double tol) {
  ASSERT_EQ(a.numel(), b.numel());
  for (int64_t i = 0; i < a.numel(); ++i)
    ASSERT_NEAR(a.data()[i], b.data()[i], tol * (1 + std::abs(a.data()[i]))) << "at " << i;
}

TEST(Recurrent, LstmStepApiMatchesTheSequenceOp) {
  const int64_t B = 3, T = 6, I = 5, H = 7;
  OpAttrs a;
  a.hidden = H;
  auto op = op_registry().create("lstm", a, std::vector<Shape>{Shape{B, T, I}}).take();
  Data d = make_data(*op, B, T, I, H);
  std::vector<Tensor> out{Tensor::empty(Shape{B, T, H})}, dx{Tensor::empty(Shape{B, T, I})};
  OpContext ctx;
  op->forward(ctx, {&d.x, 1}, d.params, out);
  std::vector<Tensor> dys{d.dy};
  op->backward(ctx, {&d.x, 1}, d.params, out, dys, dx, d.dparams_op);

  LstmCell cell(I, H);
  std::vector<Tensor> xs, hs{Tensor::zeros(Shape{B, H})}, cs{Tensor::zeros(Shape{B, H})}, gates;
  for (int64_t t = 0; t < T; ++t) {
    xs.push_back(take_step(d.x, t));
    hs.push_back(Tensor::empty(Shape{B, H}));
    cs.push_back(Tensor::empty(Shape{B, H}));
    gates.push_back(Tensor::empty(Shape{B, 4 * H}));
    cell.step(d.params, xs[t], hs[t], cs[t], hs[t + 1], cs[t + 1], gates[t]);
    expect_close(take_step(out[0], t), hs[t + 1], 1e-5);
  }
  Tensor dh = Tensor::zeros(Shape{B, H}), dc = Tensor::zeros(Shape{B, H});
  for (int64_t t = T - 1; t >= 0; --t) {
    Tensor dh_out = take_step(d.dy, t);
    for (int64_t i = 0; i < B * H; ++i) dh_out.data()[i] += dh.data()[i];
    Tensor dxt = Tensor::empty(Shape{B, I}), dh_prev = Tensor::empty(Shape{B, H}),
           dc_prev = Tensor::empty(Shape{B, H});
    cell.step_backward(d.params, xs[t], hs[t], cs[t], gates[t], cs[t + 1], dh_out, dc, dxt,
                       dh_prev, dc_prev, d.dparams_step);
    expect_close(take_step(dx[0], t), dxt, 1e-4);
    dh = dh_prev;
    dc = dc_prev;
  }
  for (size_t p = 0; p < d.params.size(); ++p) expect_close(d.dparams_op[p], d.dparams_step[p], 1e-4);
}

TEST(Recurrent, GruAndRnnStepApisMatchTheSequenceOps) {
  const int64_t B = 2, T = 5, I = 4, H = 6;
  for (const char* name : {"gru", "rnn_tanh"}) {
    SCOPED_TRACE(name);
    const bool gru = std::string(name) == "gru";
    OpAttrs a;
    a.hidden = H;
    auto op = op_registry().create(name, a, std::vector<Shape>{Shape{B, T, I}}).take();
    Data d = make_data(*op, B, T, I, H);
    std::vector<Tensor> out{Tensor::empty(Shape{B, T, H})}, dx{Tensor::empty(Shape{B, T, I})};
    OpContext ctx;
    op->forward(ctx, {&d.x, 1}, d.params, out);
    std::vector<Tensor> dys{d.dy};
    op->backward(ctx, {&d.x, 1}, d.params, out, dys, dx, d.dparams_op);

    GruCell gcell(I, H);
    RnnCell rcell(I, H);
    std::vector<Tensor> xs, hs{Tensor::zeros(Shape{B, H})}, caches;
    for (int64_t t = 0; t < T; ++t) {
      xs.push_back(take_step(d.x, t));
      hs.push_back(Tensor::empty(Shape{B, H}));
      caches.push_back(Tensor::empty(Shape{B, 4 * H}));
      if (gru) gcell.step(d.params, xs[t], hs[t], hs[t + 1], caches[t]);
      else rcell.step(d.params, xs[t], hs[t], hs[t + 1]);
      expect_close(take_step(out[0], t), hs[t + 1], 1e-5);
    }
    Tensor dh = Tensor::zeros(Shape{B, H});
    for (int64_t t = T - 1; t >= 0; --t) {
      Tensor dh_out = take_step(d.dy, t);
      for (int64_t i = 0; i < B * H; ++i) dh_out.data()[i] += dh.data()[i];
      Tensor dxt = Tensor::empty(Shape{B, I}), dh_prev = Tensor::empty(Shape{B, H});
      if (gru) gcell.step_backward(d.params, xs[t], hs[t], caches[t], dh_out, dxt, dh_prev, d.dparams_step);
      else rcell.step_backward(d.params, xs[t], hs[t], hs[t + 1], dh_out, dxt, dh_prev, d.dparams_step);
      expect_close(take_step(dx[0], t), dxt, 1e-4);
      dh = dh_prev;
    }
    for (size_t p = 0; p < d.params.size(); ++p)
      expect_close(d.dparams_op[p], d.dparams_step[p], 1e-4);
  }
}

}  // namespace
}  // namespace nas::ops
