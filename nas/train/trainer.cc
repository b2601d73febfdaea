#include "nas/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>

#include "nas/train/data/batch_loader.h"
#include "nas/train/loss_check.h"
#include "nas/train/optim/grad_clip.h"
#include "nas/train/optim/network_params.h"
#include "nas/train/rng.h"
#include "ops/layers/batch_norm.h"
#include "ops/layers/softmax_cross_entropy.h"

namespace nas::train {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

void copy_weights(const graph::Network& from, graph::Network& to) {
  std::map<std::string, ops::Tensor> source;
  for (auto& [name, t] : from.named_tensors()) source.emplace(name, t);
  for (auto& [name, t] : to.named_tensors()) {
    auto it = source.find(name);
    NAS_CHECK(it != source.end() && it->second.numel() == t.numel());
    std::memcpy(t.data(), it->second.data(), t.numel() * sizeof(float));
  }
}

Result<graph::NetworkSpec> Trainer::with_loss(int64_t batch, float label_smoothing) const {
  auto body = factory_(batch);
  if (!body) return body.status();
  graph::NetworkSpec spec = body.take();
  const auto outs = spec.outputs();
  if (outs.size() != 1) return Status::error("failed to train: the network must have one output (the logits)");
  const ops::Shape logits = spec.shape(outs[0]);
  const bool flat = logits.rank() == 2 || (logits.rank() == 4 && logits[1] == 1 && logits[2] == 1);
  if (!flat || logits[0] != batch || logits[logits.rank() - 1] != num_classes_)
    return Status::error("failed to train: the network's output " + logits.str() + " is not [" +
                         std::to_string(batch) + ", " + std::to_string(num_classes_) +
                         "] logits for the dataset's " + std::to_string(num_classes_) + " classes");
  const int labels = spec.add_input("labels", {batch});
  ops::OpAttrs attrs;
  attrs.label_smoothing = label_smoothing;
  auto loss = spec.add_node("loss", "softmax_cross_entropy", attrs, {outs[0], {labels, 0}});
  if (!loss) return loss.status();
  spec.set_outputs({{loss.value(), 0}, outs[0]});
  return spec;
}

Result<std::unique_ptr<Trainer>> Trainer::create(SpecFactory factory, const TrainOptions& options,
                                                 int64_t train_examples, int num_classes) {
  if (options.epochs < 1) return Status::error("failed to create trainer with epochs " + std::to_string(options.epochs) + ": must be >= 1");
  if (options.batch_size < 1 || options.eval_batch_size < 1)
    return Status::error("failed to create trainer: batch sizes must be >= 1");
  if (train_examples < 1) return Status::error("failed to create trainer: the training set is empty");
  std::unique_ptr<Trainer> t(new Trainer(std::move(factory), options));
  t->num_classes_ = num_classes;
  t->batch_ = std::min(options.batch_size, train_examples);
  auto spec = t->with_loss(t->batch_, options.label_smoothing);
  if (!spec) return spec.status();
  auto net = graph::Network::create(spec.value(), graph::ExecMode::kTraining, options.seed);
  if (!net) return net.status();
  t->net_ = net.take();
  auto opt = make_optimizer(options.optimizer,
                            params_of_kind(t->net_->parameters(), ops::ParamKind::kWeight, "weights"));
  if (!opt) return opt.status();
  t->optimizer_ = opt.take();
  t->options_.schedule.total_steps =
      static_cast<int64_t>(options.epochs) * (train_examples / t->batch_);
  if (auto s = LrSchedule::create(t->options_.schedule); !s) return s.status();
  return t;
}

Result<std::vector<EpochStats>> Trainer::fit(const Dataset& train, TrainHooks* hooks) {
  LoaderOptions lo;
  lo.batch_size = batch_;
  lo.shuffle = true;
  lo.drop_last = true;
  lo.seed = options_.seed;
  lo.augment = options_.augment;
  auto loader = BatchLoader::create(train, lo);
  if (!loader) return loader.status();
  const LrSchedule schedule = LrSchedule::create(options_.schedule).take();
  const int64_t classes = num_classes_;
  ops::Tensor dloss = ops::Tensor::empty({1});
  dloss.data()[0] = 1.0f;
  ops::Tensor dlogits = ops::Tensor::zeros(net_->spec().shape(net_->spec().outputs()[1]));
  std::vector<EpochStats> history;
  int64_t step = optimizer_->step_count();
  for (int epoch = 0; epoch < options_.epochs; ++epoch) {
    const auto start = Clock::now();
    loader.value()->start_epoch(epoch);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, batches = 0;
    float lr = 0;
    while (const Batch* b = loader.value()->next()) {
      if (hooks) hooks->before_step(step);
      ops::OpContext ctx{true, mix_seed(options_.seed, static_cast<uint64_t>(step))};
      const auto outs = net_->forward(std::vector<ops::Tensor>{b->inputs, b->targets}, ctx);
      const float loss = outs[0].data()[0];
      if (Status s = check_loss_finite(loss, step); !s) return s;
      correct += ops::count_top_k_correct(outs[1].data(), b->targets.data(), b->size(), classes, 1);
      net_->backward(std::vector<ops::Tensor>{dloss, dlogits}, ctx);
      if (options_.clip_grad_norm > 0) {
        const double norm = clip_grad_norm(optimizer_->group(), options_.clip_grad_norm);
        if (!std::isfinite(norm))
          return Status::error("failed to train at step " + std::to_string(step) +
                               ": gradient norm is " + std::to_string(norm));
      }
      lr = schedule.lr_at(step);
      optimizer_->step(lr);
      loss_sum += loss;
      seen += b->size();
      ++batches;
      ++step;
    }
    EpochStats st;
    st.epoch = epoch + 1;
    st.seconds = seconds_since(start);
    st.loss = batches ? loss_sum / batches : 0.0;
    st.accuracy = seen ? static_cast<double>(correct) / seen : 0.0;
    st.images_per_s = st.seconds > 0 ? seen / st.seconds : 0.0;
    st.last_lr = lr;
    history.push_back(st);
    if (hooks) hooks->after_epoch(st);
  }
  return history;
}

Result<std::unique_ptr<graph::Network>> Trainer::inference_network(int64_t batch) {
  auto spec = with_loss(batch, 0.0f);
  if (!spec) return spec.status();
  return graph::Network::create(spec.value(), graph::ExecMode::kInference, options_.seed);
}

Result<EvalStats> Trainer::evaluate(const Dataset& data) {
  const auto start = Clock::now();
  EvalStats st;
  if (data.size() == 0) return st;
  if (data.num_classes != num_classes_)
    return Status::error("failed to evaluate on " + data.name + ": it has " +
                         std::to_string(data.num_classes) + " classes, the network " +
                         std::to_string(num_classes_));
  const int64_t n = data.size();
  const int64_t full = std::min(options_.eval_batch_size, n);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < n; begin += full) {
    const int64_t count = std::min(full, n - begin);
    graph::Network* net = nullptr;
    for (auto& [b, e] : eval_nets_)
      if (b == count) net = e.get();
    if (net == nullptr) {
      auto created = inference_network(count);
      if (!created) return created.status();
      eval_nets_.emplace_back(count, created.take());
      net = eval_nets_.back().second.get();
    }
    if (begin == 0 || count != full) copy_weights(*net_, *net);
    // Views of the dataset's own memory: no copy.
    ops::Tensor x = ops::Tensor::wrap(const_cast<float*>(data.image(begin)),
                                      {count, data.height, data.width, data.channels});
    ops::Tensor labels = ops::Tensor::empty({count});
    for (int64_t i = 0; i < count; ++i) labels.data()[i] = static_cast<float>(data.labels[begin + i]);
    const auto outs = net->forward(std::vector<ops::Tensor>{x, labels}, ops::OpContext{false, 0});
    loss_sum += static_cast<double>(outs[0].data()[0]) * count;
    correct += ops::count_top_k_correct(outs[1].data(), labels.data(), count, num_classes_, 1);
  }
  st.examples = n;
  st.loss = loss_sum / n;
  st.accuracy = static_cast<double>(correct) / n;
  st.seconds = seconds_since(start);
  return st;
}

Status Trainer::recalibrate_batch_norm(const Dataset& data, int64_t batches) {
  std::vector<ops::BatchNorm*> norms;
  for (int id = 0; id < net_->spec().size(); ++id)
    if (auto* bn = dynamic_cast<ops::BatchNorm*>(net_->op(id))) norms.push_back(bn);
  for (ops::BatchNorm* bn : norms) bn->reset_running_stats(/*cumulative=*/true);
  LoaderOptions lo;
  lo.batch_size = batch_;
  lo.drop_last = true;
  lo.seed = options_.seed + 1;
  auto loader = BatchLoader::create(data, lo);
  if (!loader) return loader.status();
  loader.value()->start_epoch(0);
  for (int64_t i = 0; i < batches; ++i) {
    const Batch* b = loader.value()->next();
    if (b == nullptr) break;
    net_->forward(std::vector<ops::Tensor>{b->inputs, b->targets}, ops::OpContext{true, 0});
  }
  for (ops::BatchNorm* bn : norms) bn->set_cumulative(false);
  return Status::ok();
}

std::vector<std::pair<std::string, ops::Tensor>> Trainer::named_tensors() const {
  return net_->named_tensors();
}

}  // namespace nas::train
