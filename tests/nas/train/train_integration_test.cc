// The pieces of nas/train working together, without the network executor:
// a softmax regression (the linear and softmax_cross_entropy ops, driven by
// hand) trained on the synthetic set through the batch loader, SGD with
// Nesterov momentum, a warmed-up cosine schedule, clipping and loss checks.
#include <gtest/gtest.h>

#include <vector>

#include "nas/train/data/batch_loader.h"
#include "nas/train/data/data_pipeline.h"
#include "nas/train/loss_check.h"
#include "nas/train/optim/grad_clip.h"
#include "nas/train/optim/lr_schedule.h"
#include "nas/train/optim/optimizer.h"
#include "nas/train/rng.h"
#include "ops/layers/linear.h"
#include "ops/layers/softmax_cross_entropy.h"

namespace nas::train {
namespace {

struct Outcome {
  std::vector<float> weights;
  double test_accuracy = 0.0;
  float last_loss = 0.0f;
};

Outcome train_softmax_regression(uint64_t seed) {
  DataPipelineOptions data;
  data.kind = DatasetKind::kSynthetic;
  data.synthetic.size = 1200;
  data.synthetic.num_classes = 4;
  data.synthetic.noise = 0.6f;
  data.split.valid_size = 200;
  data.split.seed = seed;
  const PreparedData prepared = prepare_data(data).take();
  const Dataset& train = prepared.splits.train;
  const int64_t features = train.image_numel(), classes = train.num_classes, batch = 50;

  ops::OpAttrs attrs;
  attrs.out_channels = classes;
  attrs.bias = true;
  const ops::Shape x_shape{batch, features};
  auto linear = ops::create_linear(attrs, std::span(&x_shape, 1)).take();
  const std::vector<ops::Shape> ce_in{{batch, classes}, {batch}};
  auto loss_op = ops::create_softmax_cross_entropy({}, ce_in).take();

  ParamGroup group{"weights", {}};
  Rng init(mix_seed(seed, 99));
  for (const ops::ParamSpec& spec : linear->param_specs()) {
    Parameter p{spec.name, ops::Tensor::zeros(spec.shape), ops::Tensor::zeros(spec.shape),
                spec.shape.rank() > 1};
    if (spec.shape.rank() > 1)
      for (int64_t i = 0; i < p.value.numel(); ++i) p.value.data()[i] = 0.01f * init.normal();
    group.params.push_back(p);
  }
  std::vector<ops::Tensor> values, grads;
  for (const Parameter& p : group.params) {
    values.push_back(p.value);
    grads.push_back(p.grad);
  }

  OptimizerConfig oc;
  oc.momentum = 0.9f;
  oc.nesterov = true;
  oc.weight_decay = 1e-4f;
  auto opt = make_optimizer(oc, group).take();
  LoaderOptions lo;
  lo.batch_size = batch;
  lo.drop_last = true;  // ops are created for one batch shape
  lo.seed = seed;
  auto loader = BatchLoader::create(train, lo).take();
  const int epochs = 3;
  LrScheduleConfig sc;
  sc.kind = LrScheduleKind::kCosine;
  sc.base_lr = 0.05f;
  sc.warmup_steps = 10;
  sc.total_steps = epochs * loader->batches_per_epoch();
  const LrSchedule schedule = LrSchedule::create(sc).take();

  ops::Tensor logits = ops::Tensor::zeros({batch, classes}), loss = ops::Tensor::zeros({1});
  ops::Tensor dlogits = ops::Tensor::zeros({batch, classes}), dloss = ops::Tensor::zeros({1});
  dloss.fill(1.0f);
  const ops::OpContext ctx;
  Outcome out;
  int64_t step = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    loader->start_epoch(epoch);
    while (const Batch* b = loader->next()) {
      const ops::Tensor x = b->inputs.reshaped(x_shape);
      linear->forward(ctx, std::span(&x, 1), values, std::span(&logits, 1));
      const ops::Tensor ce_inputs[] = {logits, b->targets};
      loss_op->forward(ctx, ce_inputs, {}, std::span(&loss, 1));
      out.last_loss = loss.data()[0];
      EXPECT_TRUE(check_loss_finite(out.last_loss, step));
      ops::Tensor ce_grads[] = {dlogits, ops::Tensor()};
      loss_op->backward(ctx, ce_inputs, {}, std::span(&loss, 1), std::span(&dloss, 1), ce_grads,
                        {});
      ops::Tensor no_dx;
      linear->backward(ctx, std::span(&x, 1), values, std::span(&logits, 1), std::span(&dlogits, 1),
                       std::span(&no_dx, 1), grads);
      clip_grad_norm(group, 5.0);
      opt->step(schedule.lr_at(step++));
    }
  }

  // Test accuracy, one batch-sized chunk at a time.
  const Dataset& test = prepared.splits.test;
  int64_t correct = 0, seen = 0;
  std::vector<float> labels(batch);
  for (int64_t begin = 0; begin + batch <= test.size(); begin += batch) {
    const ops::Tensor x =
        ops::Tensor::wrap(const_cast<float*>(test.image(begin)), x_shape);  // read only
    linear->forward({.training = false}, std::span(&x, 1), values, std::span(&logits, 1));
    for (int64_t j = 0; j < batch; ++j) labels[j] = static_cast<float>(test.labels[begin + j]);
    correct += ops::count_top_k_correct(logits.data(), labels.data(), batch, classes, 1);
    seen += batch;
  }
  out.test_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
  for (const Parameter& p : group.params)
    out.weights.insert(out.weights.end(), p.value.data(), p.value.data() + p.value.numel());
  return out;
}

TEST(TrainIntegration, SoftmaxRegressionLearnsTheSyntheticSetReproducibly) {
  const Outcome a = train_softmax_regression(1);
  EXPECT_GE(a.test_accuracy, 0.9) << "last loss " << a.last_loss;
  EXPECT_LT(a.last_loss, 0.5f);
  const Outcome b = train_softmax_regression(1);
  EXPECT_EQ(a.weights, b.weights);  // same seed, same thread count: same bits
  const Outcome c = train_softmax_regression(2);
  EXPECT_NE(a.weights, c.weights);
}

}  // namespace
}  // namespace nas::train
