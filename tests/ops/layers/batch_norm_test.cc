#include "ops/layers/batch_norm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ops/core/parallel.h"
#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

struct Stats {
  std::vector<double> mean, var;  // biased variance
};

Stats batch_stats(const Tensor& x) {
  const int64_t c = x.dim(x.rank() - 1), rows = x.numel() / c;
  Stats s{std::vector<double>(c, 0.0), std::vector<double>(c, 0.0)};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) s.mean[j] += x.data()[r * c + j] / double(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      const double d = x.data()[r * c + j] - s.mean[j];
      s.var[j] += d * d / double(rows);
    }
  return s;
}

BatchNorm& as_bn(Op& op) { return dynamic_cast<BatchNorm&>(op); }

TEST(BatchNorm, TrainingNormalisesWithBatchStatistics) {
  for (const Shape& shape : {Shape{2, 5, 5, 3}, Shape{3, 7, 1, 9}, Shape{6, 4}}) {
    OpTester t("batch_norm");
    t.input(shape);
    EXPECT_TRUE(t.check_forward(
        [](const std::vector<Tensor>& in, const std::vector<Tensor>& p) {
          const Stats s = batch_stats(in[0]);
          const int64_t c = s.mean.size();
          std::vector<double> y(in[0].numel());
          for (int64_t i = 0; i < in[0].numel(); ++i) {
            const int64_t j = i % c;
            y[i] = (in[0].data()[i] - s.mean[j]) / std::sqrt(s.var[j] + 1e-5) * p[0].data()[j] +
                   p[1].data()[j];
          }
          return std::vector<std::vector<double>>{y};
        },
        1e-5, 1e-4))
        << shape.str();
  }
}

TEST(BatchNorm, UpdatesRunningStatisticsWithMomentumAndUnbiasedVariance) {
  OpTester t("batch_norm");
  OpAttrs a;
  a.momentum = 0.25f;
  t.input({2, 3, 3, 4}).attrs(a);
  t.forward();
  const Stats s = batch_stats(t.inputs()[0]);
  BatchNorm& bn = as_bn(t.op());
  EXPECT_EQ(bn.batches_tracked(), 1);
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(bn.running_mean().data()[j], 0.25 * s.mean[j], 1e-6);
    EXPECT_NEAR(bn.running_var().data()[j], 0.75 + 0.25 * s.var[j] * 18.0 / 17.0, 1e-6);
  }
}

TEST(BatchNorm, InferenceUsesRunningStatisticsAndFoldsToScaleShift) {
  OpTester t("batch_norm");
  t.input({2, 3, 3, 4}).training(false);
  BatchNorm& bn = as_bn(t.op());
  const float rm[4] = {0.5f, -1.0f, 2.0f, 0.0f}, rv[4] = {1.0f, 4.0f, 0.25f, 9.0f};
  std::copy(rm, rm + 4, bn.running_mean().data());
  std::copy(rv, rv + 4, bn.running_var().data());
  const Tensor y = t.forward()[0];
  const float* g = t.params()[0].data();
  const float* b = t.params()[1].data();
  float scale[4], shift[4];
  bn.folded_scale_shift(g, b, scale, shift);
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int j = i % 4;
    const double x = t.inputs()[0].data()[i];
    const double want = (x - rm[j]) / std::sqrt(rv[j] + 1e-5) * g[j] + b[j];
    EXPECT_NEAR(y.data()[i], want, 1e-5);
    EXPECT_NEAR(x * scale[j] + shift[j], want, 1e-5);
  }
  EXPECT_EQ(bn.batches_tracked(), 0);  // inference leaves the statistics alone
  const std::vector<Op::StateTensor> state = bn.state_tensors();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(state[0].name, "running_mean");
  EXPECT_EQ(state[0].tensor.data(), bn.running_mean().data());
  EXPECT_EQ(state[1].tensor.data(), bn.running_var().data());
}

TEST(BatchNorm, CumulativeRecalibrationAveragesBatchesEqually) {
  OpTester t("batch_norm");
  t.input({4, 2, 2, 3});
  BatchNorm& bn = as_bn(t.op());
  t.forward();  // some history to be discarded
  bn.reset_running_stats(/*cumulative=*/true);
  std::vector<double> mean_sum(3, 0.0), var_sum(3, 0.0);
  for (int step = 0; step < 3; ++step) {
    for (int64_t i = 0; i < t.inputs()[0].numel(); ++i)
      t.inputs()[0].data()[i] = std::sin(1.7 * i + step) * (step + 1) + step;
    const Stats s = batch_stats(t.inputs()[0]);
    for (int j = 0; j < 3; ++j) {
      mean_sum[j] += s.mean[j];
      var_sum[j] += s.var[j] * 16.0 / 15.0;
    }
    t.forward();
  }
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(bn.running_mean().data()[j], mean_sum[j] / 3, 1e-5);
    EXPECT_NEAR(bn.running_var().data()[j], var_sum[j] / 3, 1e-5);
  }
}

TEST(BatchNorm, PreciseWhenTheMeanDwarfsTheSpread) {
  OpTester t("batch_norm");
  std::vector<float> x(64 * 3);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1000.0f + std::cos(0.37f * i);
  t.input_values({64, 3}, x);
  EXPECT_TRUE(t.check_forward(
      [](const std::vector<Tensor>& in, const std::vector<Tensor>& p) {
        const Stats s = batch_stats(in[0]);
        std::vector<double> y(in[0].numel());
        for (int64_t i = 0; i < in[0].numel(); ++i) {
          const int64_t j = i % 3;
          y[i] = (in[0].data()[i] - s.mean[j]) / std::sqrt(s.var[j] + 1e-5) * p[0].data()[j] +
                 p[1].data()[j];
        }
        return std::vector<std::vector<double>>{y};
      },
      2e-3, 0.0));
}

// 2048 rows: 16 blocks, each shifted by its own first row and merged in
// block order (Chan et al.); the double reference has no cancellation.
TEST(BatchNorm, PreciseWhenTheMeanDwarfsTheSpreadOverManyBlocks) {
  OpTester t("batch_norm");
  std::vector<float> x(2048 * 5);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = 1000.0f + 3.0f * (i % 5) + std::cos(0.37f * i) + (i / 5 > 1024 ? 0.5f : 0.0f);
  t.input_values({2048, 5}, x);
  EXPECT_TRUE(t.check_forward(
      [](const std::vector<Tensor>& in, const std::vector<Tensor>& p) {
        const Stats s = batch_stats(in[0]);
        std::vector<double> y(in[0].numel());
        for (int64_t i = 0; i < in[0].numel(); ++i) {
          const int64_t j = i % 5;
          y[i] = (in[0].data()[i] - s.mean[j]) / std::sqrt(s.var[j] + 1e-5) * p[0].data()[j] +
                 p[1].data()[j];
        }
        return std::vector<std::vector<double>>{y};
      },
      2e-3, 0.0));
}

TEST(BatchNorm, BitIdenticalAcrossThreadCountsOnALargeBatch) {
  OpTester t("batch_norm");
  t.input({8, 16, 16, 24});  // 2048 rows: 16 reduction blocks
  EXPECT_TRUE(t.check_deterministic({1, 2, 3}));
  OpTester e("batch_norm");
  e.input({8, 16, 16, 24}).training(false);
  EXPECT_TRUE(e.check_deterministic({1, 2}));
}

TEST(BatchNorm, HandComputedCost) {
  OpTester t("batch_norm");
  t.input({2, 3, 3, 4});
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.params, 8);
  EXPECT_EQ(c.flops_other, 144);
  EXPECT_EQ(c.bytes_read, 4 * (72 + 8));
  EXPECT_EQ(c.bytes_written, 4 * 72);
  EXPECT_EQ(t.op().param_specs()[0].init, Init::kOnes);
  EXPECT_EQ(t.op().param_specs()[1].init, Init::kZeros);
}

TEST(BatchNorm, CreationErrors) {
  OpTester rank3("batch_norm");
  rank3.input({2, 3, 4});
  Status st = rank3.create();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("batch_norm"), std::string::npos);
  EXPECT_NE(st.message().find("[2,3,4]"), std::string::npos);
  OpAttrs a;
  a.momentum = 1.5f;
  OpTester bad("batch_norm");
  bad.input({2, 3}).attrs(a);
  EXPECT_FALSE(bad.create().is_ok());
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() && std::memcmp(a.data(), b.data(), a.numel() * 4) == 0;
}

// BN fused with relu / relu6 (the executor's training fusion) against BN and
// the activation run as two ops: forward output, dx, dgamma and dbeta give
// the same bits, with dx written out of place or in place over dy, and the
// fused backward never reads the activation output it is given (the mask is
// recomputed from x). gamma 4, beta 3: relu6 clips at both ends.
TEST(BatchNorm, FusedActivationBackwardInPlaceEqualsTwoOpsBitForBit) {
  for (const char* act_name : {"relu", "relu6"}) {
    const ActivationKind act =
        std::string(act_name) == "relu" ? ActivationKind::kRelu : ActivationKind::kRelu6;
    for (const Shape& shape : {Shape{4, 5, 5, 16}, Shape{8, 16, 16, 24}, Shape{7, 9}}) {
      const std::vector<Shape> in_shapes{shape};
      auto plain = op_registry().create("batch_norm", OpAttrs{}, in_shapes).take();
      auto fused = op_registry().create("batch_norm", OpAttrs{}, in_shapes).take();
      auto activation = op_registry().create(act_name, OpAttrs{}, in_shapes).take();
      as_bn(*fused).set_fused_activation(act);
      const int64_t c = shape[shape.rank() - 1];
      Tensor x = Tensor::empty(shape), gamma = Tensor::empty({c}), beta = Tensor::empty({c});
      for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = std::sin(0.37 * i) + 0.5f;
      gamma.fill(4.0f);
      beta.fill(3.0f);
      std::vector<Tensor> params{gamma, beta};
      Tensor dy = Tensor::empty(shape);
      for (int64_t i = 0; i < dy.numel(); ++i) dy.data()[i] = std::cos(0.11 * i);
      const OpContext ctx{true, 0};
      // Two ops: z = BN(x), y = act(z); dz = act'(dy), dx = BN'(dz).
      Tensor z = Tensor::empty(shape), y = Tensor::empty(shape), dz = Tensor::empty(shape);
      Tensor dx = Tensor::empty(shape), dg = Tensor::empty({c}), db = Tensor::empty({c});
      std::vector<Tensor> xs{x}, zs{z}, ys{y};
      plain->forward(ctx, xs, params, zs);
      activation->forward(ctx, zs, {}, ys);
      std::vector<Tensor> dys{dy}, dzs{dz}, dxs{dx}, pgs{dg, db};
      activation->backward(ctx, zs, {}, ys, dys, dzs, {});
      plain->backward(ctx, xs, params, zs, dzs, dxs, pgs);
      // Fused, out of place then in place; the output handed to backward is garbage.
      Tensor yf = Tensor::empty(shape);
      std::vector<Tensor> yfs{yf};
      fused->forward(ctx, xs, params, yfs);
      ASSERT_TRUE(same_bits(yf, y)) << act_name << " " << shape.str() << " forward";
      Tensor garbage = Tensor::empty(shape);
      garbage.fill(-1.0f);
      std::vector<Tensor> gs{garbage};
      Tensor dx2 = Tensor::empty(shape), dg2 = Tensor::empty({c}), db2 = Tensor::empty({c});
      std::vector<Tensor> dx2s{dx2}, pg2s{dg2, db2};
      fused->backward(ctx, xs, params, gs, dys, dx2s, pg2s);
      EXPECT_TRUE(same_bits(dx2, dx)) << act_name << " " << shape.str() << " dx";
      EXPECT_TRUE(same_bits(dg2, dg)) << act_name << " " << shape.str() << " dgamma";
      EXPECT_TRUE(same_bits(db2, db)) << act_name << " " << shape.str() << " dbeta";
      Tensor g = dy.clone();
      std::vector<Tensor> g_in{g}, g_out{g};
      fused->backward(ctx, xs, params, gs, g_in, g_out, pg2s);
      EXPECT_TRUE(same_bits(g, dx)) << act_name << " " << shape.str() << " dx in place";
      EXPECT_TRUE(same_bits(dg2, dg)) << act_name << " " << shape.str() << " dgamma in place";
    }
  }
}

// An output of at least BatchNorm::streaming_store_bytes() (33.8 MB here) is
// written with streaming stores (run by 2 threads when the test has them):
// every element against a double reference, so a skipped or misplaced store
// shows. (The stores' bits equal the plain path's: the kernel test.)
TEST(BatchNorm, StreamingStoresBeyondTheCacheNormaliseEveryElement) {
  const Shape shape{64, 32, 32, 129};  // 129 channels: rows not 64-byte aligned
  ASSERT_GE(shape.numel() * 4, BatchNorm::streaming_store_bytes());
  auto op = op_registry().create("batch_norm", OpAttrs{}, std::vector<Shape>{shape}).take();
  as_bn(*op).set_fused_activation(ActivationKind::kRelu6);
  const int64_t c = shape[3], rows = shape.numel() / c;
  Tensor x = Tensor::empty(shape), y = Tensor::empty(shape);
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = float((i * 7919) % 1013) / 101.0f;
  y.fill(-1.0f);
  Tensor gamma = Tensor::empty({c}), beta = Tensor::empty({c});
  gamma.fill(2.0f);
  beta.fill(1.0f);
  std::vector<Tensor> xs{x}, params{gamma, beta}, ys{y};
  op->forward(OpContext{true, 0}, xs, params, ys);
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) mean[j] += x.data()[r * c + j];
  for (int64_t j = 0; j < c; ++j) mean[j] /= double(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      const double d = x.data()[r * c + j] - mean[j];
      var[j] += d * d;
    }
  for (int64_t j = 0; j < c; ++j) var[j] /= double(rows);
  int64_t bad = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      const double z = (x.data()[r * c + j] - mean[j]) / std::sqrt(var[j] + 1e-5) * 2.0 + 1.0;
      const double want = std::min(std::max(z, 0.0), 6.0);
      bad += std::abs(y.data()[r * c + j] - want) > 1e-4 + 1e-5 * std::abs(want);
    }
  EXPECT_EQ(bad, 0);
}

// Statistics and gradient sums gathered through the observers (the way a
// producing conv reports them: rows in uneven pieces, from any threads, in
// any order) give the bits of BN's own passes, on 1, 2 and 3 threads.
TEST(BatchNorm, ObservedPassesEqualOwnPassesBitForBit) {
  const int saved = num_threads();
  const Shape shape{8, 16, 16, 40};  // 2048 rows: 16 blocks; 32 + 8 channels
  const int64_t c = 40, rows = 2048;
  Tensor x = Tensor::empty(shape), dy = Tensor::empty(shape), gamma = Tensor::empty({c}),
         beta = Tensor::empty({c});
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = 5.0f + std::sin(0.37 * i);
  for (int64_t i = 0; i < dy.numel(); ++i) dy.data()[i] = std::cos(0.11 * i);
  gamma.fill(4.0f);
  beta.fill(3.0f);
  std::vector<Tensor> params{gamma, beta};
  const OpContext ctx{true, 0};
  const std::vector<Shape> in_shapes{shape};
  // Reference: BN's own passes, 1 thread.
  set_num_threads(1);
  auto ref = op_registry().create("batch_norm", OpAttrs{}, in_shapes).take();
  as_bn(*ref).set_fused_activation(ActivationKind::kRelu6);
  Tensor y0 = Tensor::empty(shape), dx0 = Tensor::empty(shape), dg0 = Tensor::empty({c}),
         db0 = Tensor::empty({c});
  {
    std::vector<Tensor> xs{x}, ys{y0}, dys{dy}, dxs{dx0}, pgs{dg0, db0};
    ref->forward(ctx, xs, params, ys);
    ref->backward(ctx, xs, params, ys, dys, dxs, pgs);
  }
  for (int t = 1; t <= 3; ++t) {
    set_num_threads(t);
    auto bn = op_registry().create("batch_norm", OpAttrs{}, in_shapes).take();
    as_bn(*bn).set_fused_activation(ActivationKind::kRelu6);
    Tensor y = Tensor::empty(shape), dx = Tensor::empty(shape), dg = Tensor::empty({c}),
           db = Tensor::empty({c});
    std::vector<Tensor> xs{x}, ys{y}, dys{dy}, dxs{dx}, pgs{dg, db};
    RowBlockObserver* o = as_bn(*bn).arm_input_stats(x.data());
    parallel_for(rows, 97, [&](int64_t b, int64_t e) {
      for (int64_t r = e; r > b; r -= std::min<int64_t>(r - b, 61)) o->report(std::max(b, r - 61), r);
    });
    bn->forward(ctx, xs, params, ys);
    EXPECT_TRUE(same_bits(y, y0)) << "threads " << t << " forward";
    EXPECT_TRUE(same_bits(as_bn(*bn).running_mean(), as_bn(*ref).running_mean())) << t;
    EXPECT_TRUE(same_bits(as_bn(*bn).running_var(), as_bn(*ref).running_var())) << t;
    o = as_bn(*bn).arm_grad_sums(x.data(), dy.data());
    o->report_all();
    bn->backward(ctx, xs, params, ys, dys, dxs, pgs);
    EXPECT_TRUE(same_bits(dx, dx0)) << "threads " << t << " dx";
    EXPECT_TRUE(same_bits(dg, dg0)) << "threads " << t << " dgamma";
    EXPECT_TRUE(same_bits(db, db0)) << "threads " << t << " dbeta";
  }
  set_num_threads(saved);
}

}  // namespace
}  // namespace nas::ops
