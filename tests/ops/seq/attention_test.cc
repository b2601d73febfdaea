#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/seq/attention.h"
#include "tests/ops/seq/seq_check.h"

namespace nas::ops {
namespace {

using testing::Vec;

// y = x W + b for rows of x.
Vec dense(const Vec& x, int64_t rows, int64_t in, const Vec& w, const Vec* b, int64_t out) {
  Vec y(rows * out, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b ? (*b)[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) acc += x[r * in + i] * w[i * out + o];
      y[r * out + o] = acc;
    }
  return y;
}

double phi(double x) { return x > 0 ? x + 1 : std::exp(x); }

// Double-precision multi-head attention, written from the definition.
testing::RefFn mha_ref(int64_t B, int64_t S, int64_t D, int heads, bool causal, int window,
                       bool linear, bool bias) {
  return [=](const std::vector<Vec>& in, const std::vector<Vec>& p) {
    const Vec& wqkv = p[0];
    const Vec* bqkv = bias ? &p[1] : nullptr;
    const Vec& wout = p[bias ? 2 : 1];
    const Vec* bout = bias ? &p[3] : nullptr;
    const int64_t dh = D / heads;
    const Vec qkv = dense(in[0], B * S, D, wqkv, bqkv, 3 * D);
    Vec ctx(B * S * D, 0.0);
    auto at = [&](int64_t b, int64_t s, int part, int64_t h, int64_t c) {
      return qkv[(b * S + s) * 3 * D + part * D + h * dh + c];
    };
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < S; ++i) {
          std::vector<double> w(S, 0.0);
          double total = 0.0, mx = -1e300;
          for (int64_t j = 0; j < S; ++j) {
            const bool visible = (!causal || j <= i) && (window == 0 || std::abs(i - j) <= window);
            if (!visible) continue;
            if (linear) {
              double s = 0.0;
              for (int64_t c = 0; c < dh; ++c) s += phi(at(b, i, 0, h, c)) * phi(at(b, j, 1, h, c));
              w[j] = s;
            } else {
              double s = 0.0;
              for (int64_t c = 0; c < dh; ++c) s += at(b, i, 0, h, c) * at(b, j, 1, h, c);
              w[j] = s / std::sqrt(double(dh));
              mx = std::max(mx, w[j]);
            }
          }
          for (int64_t j = 0; j < S; ++j) {
            const bool visible = (!causal || j <= i) && (window == 0 || std::abs(i - j) <= window);
            if (!visible) { w[j] = 0; continue; }
            if (!linear) w[j] = std::exp(w[j] - mx);
            total += w[j];
          }
          for (int64_t c = 0; c < dh; ++c) {
            double acc = 0.0;
            for (int64_t j = 0; j < S; ++j) acc += w[j] * at(b, j, 2, h, c);
            ctx[(b * S + i) * D + h * dh + c] = acc / total;
          }
        }
    return dense(ctx, B * S, D, wout, bout, D);
  };
}

struct Case {
  const char* name;
  bool causal;
  int window;
};

TEST(Attention, MatchesReferenceAndFiniteDifferences) {
  const int64_t B = 2, S = 9, D = 8;
  const int heads = 2;
  for (Case c : {Case{"attention", false, 0}, Case{"attention", true, 0},
                 Case{"attention_tiled", false, 0}, Case{"attention_tiled", true, 0},
                 Case{"attention_sliding_window", false, 2},
                 Case{"attention_sliding_window", true, 3}, Case{"attention_linear", false, 0},
                 Case{"attention_linear", true, 0}}) {
    SCOPED_TRACE(std::string(c.name) + (c.causal ? " causal" : "") + " window " +
                 std::to_string(c.window));
    OpAttrs a;
    a.heads = heads;
    a.causal = c.causal;
    a.window = c.window;
    a.bias = true;
    const bool linear = std::string(c.name) == "attention_linear";
    testing::check_op(c.name, a, {Shape{B, S, D}},
                      mha_ref(B, S, D, heads, c.causal, c.window, linear, true));
  }
}

TEST(Attention, WithoutBiasHasTwoParams) {
  OpAttrs a;
  a.heads = 4;
  std::vector<Shape> in{Shape{1, 5, 16}};
  auto op = op_registry().create("attention_tiled", a, in);
  ASSERT_TRUE(op.is_ok());
  EXPECT_EQ(op.value()->param_specs().size(), 2u);
  testing::check_op("attention_tiled", a, in, mha_ref(1, 5, 16, 4, false, 0, false, false));
}

TEST(Attention, RejectsBadShapesAndAttrs) {
  OpAttrs a;
  a.heads = 3;
  std::vector<Shape> in{Shape{1, 5, 16}};
  EXPECT_FALSE(op_registry().create("attention", a, in).is_ok());  // 16 % 3 != 0
  a.heads = 2;
  EXPECT_FALSE(op_registry().create("attention_sliding_window", a, in).is_ok());  // window 0
  std::vector<Shape> rank4{Shape{1, 2, 2, 16}};
  EXPECT_FALSE(op_registry().create("attention", a, rank4).is_ok());
}

// Runs op forward + backward on fixed random data; returns y, dx, dparams.
std::vector<std::vector<float>> run(const std::string& name, const OpAttrs& a, const Shape& s) {
  auto op = op_registry().create(name, a, std::vector<Shape>{s}).take();
  std::vector<Tensor> in{Tensor::empty(s)}, params, dparams;
  auto fill = [](const Tensor& t, uint64_t seed, float scale) {
    auto v = testing::random_floats(t.numel(), seed, -scale, scale);
    std::copy(v.begin(), v.end(), t.data());
  };
  fill(in[0], 1, 1.0f);
  uint64_t seed = 10;
  for (const ParamSpec& p : op->param_specs()) {
    params.push_back(Tensor::empty(p.shape));
    fill(params.back(), ++seed, 0.3f);
    dparams.push_back(Tensor::empty(p.shape));
  }
  std::vector<Tensor> out{Tensor::empty(s)}, dy{Tensor::empty(s)}, dx{Tensor::empty(s)};
  fill(dy[0], 99, 1.0f);
  OpContext ctx;
  op->forward(ctx, in, params, out);
  op->backward(ctx, in, params, out, dy, dx, dparams);
  std::vector<std::vector<float>> res;
  res.emplace_back(out[0].data(), out[0].data() + out[0].numel());
  res.emplace_back(dx[0].data(), dx[0].data() + dx[0].numel());
  for (auto& g : dparams) res.emplace_back(g.data(), g.data() + g.numel());
  return res;
}

TEST(Attention, TiledAgreesWithPlain) {
  // S = 200 spans several 64-row tiles, with a partial last tile.
  const Shape s{2, 200, 32};
  for (bool causal : {false, true}) {
    SCOPED_TRACE(causal ? "causal" : "full");
    OpAttrs a;
    a.heads = 4;
    a.causal = causal;
    a.bias = true;
    const auto plain = run("attention", a, s);
    const auto tiled = run("attention_tiled", a, s);
    ASSERT_EQ(plain.size(), tiled.size());
    for (size_t k = 0; k < plain.size(); ++k) {
      double mx = 0.0, err = 0.0;
      for (size_t i = 0; i < plain[k].size(); ++i) {
        mx = std::max(mx, double(std::abs(plain[k][i])));
        err = std::max(err, double(std::abs(plain[k][i] - tiled[k][i])));
      }
      EXPECT_LE(err / mx, 1e-5) << "tensor " << k << " (0: y, 1: dx, then params)";
    }
  }
}

TEST(Attention, SlidingWindowEqualsPlainWithTheSameWindow) {
  const Shape s{1, 150, 16};
  OpAttrs a;
  a.heads = 2;
  a.window = 20;
  const auto plain = run("attention", a, s);
  const auto sw = run("attention_sliding_window", a, s);
  for (size_t k = 0; k < plain.size(); ++k)
    for (size_t i = 0; i < plain[k].size(); ++i)
      ASSERT_NEAR(plain[k][i], sw[k][i], 1e-5 * (1 + std::abs(plain[k][i])));
}

TEST(Attention, CostCountsQuadraticWindowedAndLinearTerms) {
  const int64_t B = 2, S = 256, D = 64;
  OpAttrs a;
  a.heads = 4;
  std::vector<Shape> in{Shape{B, S, D}};
  const int64_t proj = 4 * B * S * D * D;
  auto cost = [&](const char* name) { return op_registry().create(name, a, in).value()->cost(); };
  EXPECT_EQ(cost("attention").macs, proj + 2 * B * S * S * D);
  EXPECT_EQ(cost("attention").params, 4 * D * D);
  EXPECT_EQ(cost("attention_tiled").macs, proj + 2 * B * S * S * D);
  EXPECT_EQ(cost("attention_linear").macs, proj + 2 * B * S * D * (D / 4));
  a.window = 8;  // tiles of 64 rows see [i0 - 8, i0 + 63 + 8]: 64 * 80 or 64 * 72 at the ends
  const int64_t pairs = 64 * 72 + 64 * 80 + 64 * 80 + 64 * 72;
  EXPECT_EQ(cost("attention_sliding_window").macs, proj + 2 * B * pairs * D);
  a.bias = true;
  EXPECT_EQ(cost("attention").params, 4 * D * D + 4 * D);
  EXPECT_EQ(cost("attention").bytes_written, B * S * D * 4);
}

// Peak extra memory of tiled attention at n = 4096 is O(n d): the op's own
// buffers (projections, context, lse, backward temporaries) plus the scratch
// it takes from thread_scratch(), measured on a fresh thread so the
// Workspace peak counts only this op. Compared with n*n*4 bytes, the size of
// one head's score matrix.
TEST(Attention, TiledPeakMemoryIsLinearInSequenceLength) {
  const int64_t n = 4096, D = 16;
  OpAttrs a;
  a.heads = 1;
  a.causal = true;
  const Shape s{1, n, D};
  auto op = op_registry().create("attention_tiled", a, std::vector<Shape>{s}).take();
  const int threads = num_threads();
  set_num_threads(1);  // all scratch on the measuring thread
  int64_t scratch_peak = 0;
  std::thread t([&] {
    std::vector<Tensor> in{Tensor::empty(s)}, params, dparams;
    auto x = testing::random_floats(n * D, 3);
    std::copy(x.begin(), x.end(), in[0].data());
    for (const ParamSpec& p : op->param_specs()) {
      auto v = testing::random_floats(p.shape.numel(), 4, -0.3f, 0.3f);
      params.push_back(Tensor::empty(p.shape));
      std::copy(v.begin(), v.end(), params.back().data());
      dparams.push_back(Tensor::empty(p.shape));
    }
    std::vector<Tensor> out{Tensor::empty(s)}, dx{Tensor::empty(s)};
    OpContext ctx;
    op->forward(ctx, in, params, out);
    op->backward(ctx, in, params, out, out, dx, dparams);
    scratch_peak = thread_scratch().peak_bytes();
  });
  t.join();
  set_num_threads(threads);
  auto* mha = static_cast<MultiHeadAttention*>(op.get());
  const int64_t extra = mha->state_bytes() + scratch_peak;
  EXPECT_GT(scratch_peak, 0);
  // The op's own tiles plus sgemm's packing buffers, which do not grow with n.
  EXPECT_LE(scratch_peak, mha->scratch_bytes() + (1 << 20));
  EXPECT_LE(extra, 16 * n * D * 4 + (2 << 20));  // O(n d) with a small constant
  EXPECT_LT(extra * 16, n * n * 4);  // far below one S x S matrix (64 MiB)
}

}  // namespace
}  // namespace nas::ops
