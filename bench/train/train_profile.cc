#include "bench/train/train_profile.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "nas/graph/architecture_builder.h"
#include "nas/graph/network.h"
#include "nas/train/data/batch_loader.h"
#include "nas/train/data/synthetic.h"
#include "nas/train/optim/network_params.h"
#include "nas/train/optim/optimizer.h"
#include "ops/core/op_registry.h"

namespace nas::bench {
namespace {

constexpr int kClasses = 10;
constexpr int kWarmupSteps = 5;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// The Trainer's training network: body + softmax cross-entropy on a labels
// input (as Trainer::with_loss builds it), outputs {loss, logits}.
Result<graph::NetworkSpec> training_spec(const config::Architecture& arch, int64_t batch) {
  auto body = graph::build_network_spec(arch, batch);
  if (!body) return body.status();
  graph::NetworkSpec spec = body.take();
  const auto logits = spec.outputs().at(0);
  const int labels = spec.add_input("labels", {batch});
  auto loss = spec.add_node("loss", "softmax_cross_entropy", ops::OpAttrs{}, {logits, {labels, 0}});
  if (!loss) return loss.status();
  spec.set_outputs({{loss.value(), 0}, logits});
  return spec;
}

// The op kind a node's time is summed under.
std::string kind_of(const graph::NodeSpec& node) {
  const std::string& op = node.op;
  if (op == "depthwise_conv2d") return "depthwise";
  if (op == "conv2d") {
    const int64_t in_c = node.input_shapes[0][node.input_shapes[0].rank() - 1];
    if (node.attrs.groups == -1 || (node.attrs.groups == in_c && in_c > 1)) return "depthwise";
    return node.attrs.kernel == 1 ? "conv1x1" : "conv" + std::to_string(node.attrs.kernel) + "x" +
                                                    std::to_string(node.attrs.kernel);
  }
  if (op == "relu" || op == "relu6") return "relu";
  if (op == "global_avg_pool" || op == "linear" || op == "softmax_cross_entropy") return "head";
  return op;
}

ops::Tensor patterned(const ops::Shape& shape, unsigned seed, float scale) {
  ops::Tensor t = ops::Tensor::empty(shape);
  std::vector<float> v(static_cast<size_t>(t.numel()));
  fill_pattern(v, seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = scale * v[static_cast<size_t>(i)];
  return t;
}

struct NodeTimes {
  double fwd = 0, bwd = 0, bwd_data = 0, bwd_weights = 0;  // ms; split only for ops with weights
  bool split = false;
};

// One node's op alone on its own buffers. Backward is repeated after one
// forward (ops keep what backward needs from the last forward).
NodeTimes time_node(const graph::NetworkSpec& spec, int id) {
  const graph::NodeSpec& node = spec.node(id);
  auto created = ops::op_registry().create(node.op, node.attrs, node.input_shapes);
  NAS_CHECK(static_cast<bool>(created));
  ops::Op& op = *created.value();
  std::vector<ops::Tensor> in, params, out, dout, din, dparams, none_in, none_params;
  for (size_t k = 0; k < node.input_shapes.size(); ++k) {
    const bool network_input = spec.node(node.inputs[k].node).is_input();
    if (node.op == "softmax_cross_entropy" && k == 1) {
      ops::Tensor labels = ops::Tensor::empty(node.input_shapes[k]);
      for (int64_t i = 0; i < labels.numel(); ++i) labels.data()[i] = static_cast<float>(i % kClasses);
      in.push_back(labels);
    } else {
      in.push_back(patterned(node.input_shapes[k], 11 + static_cast<unsigned>(k), 1.0f));
    }
    // Network inputs get no gradient, as in Network::backward.
    din.push_back(network_input ? ops::Tensor() : ops::Tensor::empty(node.input_shapes[k]));
    none_in.emplace_back();
  }
  for (const ops::ParamSpec& p : op.param_specs()) {
    params.push_back(patterned(p.shape, 23, 0.1f));
    dparams.push_back(ops::Tensor::empty(p.shape));
    none_params.emplace_back();
  }
  for (const ops::Shape& s : op.output_shapes()) {
    out.push_back(ops::Tensor::empty(s));
    dout.push_back(patterned(s, 31, 0.01f));
  }
  const ops::OpContext ctx{true, 7};
  TimingOptions to;
  to.samples = 3;
  to.min_sample_s = 0.01;
  to.warmup_s = 0.02;
  NodeTimes t;
  t.fwd = median_ms([&] { op.forward(ctx, in, params, out); }, to);
  op.forward(ctx, in, params, out);
  t.bwd = median_ms([&] { op.backward(ctx, in, params, out, dout, din, dparams); }, to);
  const bool has_din = std::any_of(din.begin(), din.end(), [](const ops::Tensor& x) { return x.defined(); });
  if (!params.empty() && has_din) {
    t.split = true;
    t.bwd_data = median_ms([&] { op.backward(ctx, in, params, out, dout, din, none_params); }, to);
    t.bwd_weights = median_ms([&] { op.backward(ctx, in, params, out, dout, none_in, dparams); }, to);
  } else if (!params.empty()) {
    t.bwd_weights = t.bwd;  // a first layer: weights only
    t.split = true;
  }
  return t;
}

void print_phases(const config::Architecture& arch, const graph::NetworkSpec& spec,
                  const ProfileOptions& o) {
  auto net = graph::Network::create(spec, graph::ExecMode::kTraining, 0).take();
  train::OptimizerConfig oc;
  oc.momentum = o.momentum;
  auto opt =
      train::make_optimizer(oc, train::params_of_kind(net->parameters(), ops::ParamKind::kWeight, "weights"))
          .take();
  const train::Dataset data = synthetic_dataset(arch, o.batch * (kWarmupSteps + o.steps), 3);
  train::LoaderOptions lo;
  lo.batch_size = o.batch;
  lo.drop_last = true;
  auto loader = train::BatchLoader::create(data, lo).take();
  loader->start_epoch(0);
  ops::Tensor dloss = ops::Tensor::empty({1});
  dloss.data()[0] = 1.0f;
  ops::Tensor dlogits = ops::Tensor::zeros(spec.shape(spec.outputs()[1]));
  std::vector<double> t_data, t_fwd, t_bwd, t_opt, t_step;
  for (int step = 0; step < kWarmupSteps + o.steps; ++step) {
    const double t0 = now_s();
    const train::Batch* b = loader->next();
    NAS_CHECK(b != nullptr);
    const double t1 = now_s();
    const ops::OpContext ctx{true, static_cast<uint64_t>(step)};
    net->forward(std::vector<ops::Tensor>{b->inputs, b->targets}, ctx);
    const double t2 = now_s();
    net->backward(std::vector<ops::Tensor>{dloss, dlogits}, ctx);
    const double t3 = now_s();
    opt->step(o.lr);
    const double t4 = now_s();
    if (step < kWarmupSteps) continue;
    t_data.push_back(1e3 * (t1 - t0));
    t_fwd.push_back(1e3 * (t2 - t1));
    t_bwd.push_back(1e3 * (t3 - t2));
    t_opt.push_back(1e3 * (t4 - t3));
    t_step.push_back(1e3 * (t4 - t0));
  }
  std::printf(
      "profile_phase network=%s data_ms=%.3f forward_ms=%.2f backward_ms=%.2f optimizer_ms=%.3f "
      "step_ms=%.2f min_step_ms=%.2f\n",
      arch.name.value.c_str(), median(t_data), median(t_fwd), median(t_bwd), median(t_opt),
      median(t_step), *std::min_element(t_step.begin(), t_step.end()));
}

}  // namespace

train::Dataset synthetic_dataset(const config::Architecture& arch, int64_t size, uint64_t seed) {
  train::SyntheticOptions so;
  so.size = size;
  so.height = arch.height;
  so.width = arch.width;
  so.channels = arch.channels;
  so.num_classes = kClasses;
  so.noise = 0.5f;
  so.seed = seed;
  return train::make_synthetic(so);
}

bool profile_training(const config::Architecture& arch, const ProfileOptions& o) {
  auto spec = training_spec(arch, o.batch);
  if (!spec) {
    std::fprintf(stderr, "%s\n", spec.status().message().c_str());
    return false;
  }
  print_phases(arch, spec.value(), o);

  struct KindSum {
    NodeTimes t;
    int nodes = 0;
    int64_t macs = 0;
  };
  // Passes over all nodes, interleaved so that a burst of load from other
  // processes spoils one pass of a node, not all; the minimum is kept.
  const std::vector<int> order = spec.value().topological_order();
  std::vector<NodeTimes> best(order.size());
  for (int pass = 0; pass < o.replay_passes; ++pass) {
    for (size_t i = 0; i < order.size(); ++i) {
      if (spec.value().node(order[i]).is_input()) continue;
      const NodeTimes t = time_node(spec.value(), order[i]);
      NodeTimes& b = best[i];
      if (pass == 0) {
        b = t;
        continue;
      }
      b.fwd = std::min(b.fwd, t.fwd);
      b.bwd = std::min(b.bwd, t.bwd);
      b.bwd_data = std::min(b.bwd_data, t.bwd_data);
      b.bwd_weights = std::min(b.bwd_weights, t.bwd_weights);
    }
  }
  std::map<std::string, KindSum> kinds;
  double total = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const graph::NodeSpec& node = spec.value().node(order[i]);
    if (node.is_input()) continue;
    const NodeTimes& t = best[i];
    std::printf(
        "profile_node network=%s node=%s op=%s kind=%s fwd_ms=%.3f bwd_ms=%.3f bwd_data_ms=%.3f "
        "bwd_weights_ms=%.3f\n",
        arch.name.value.c_str(), node.name.c_str(), node.op.c_str(), kind_of(node).c_str(), t.fwd,
        t.bwd, t.bwd_data, t.bwd_weights);
    KindSum& k = kinds[kind_of(node)];
    k.t.fwd += t.fwd;
    k.t.bwd += t.bwd;
    k.t.bwd_data += t.bwd_data;
    k.t.bwd_weights += t.bwd_weights;
    k.t.split = k.t.split || t.split;
    k.nodes += 1;
    k.macs += node.cost.macs;
    total += t.fwd + t.bwd;
  }
  for (const auto& [name, k] : kinds) {
    // Training FLOPs of a MAC-bound op: forward + backward-data + backward-weights = 3 x forward.
    const double gflops =
        k.macs > 0 ? 2.0 * 3.0 * static_cast<double>(k.macs) / ((k.t.fwd + k.t.bwd) * 1e6) : 0.0;
    std::printf(
        "profile_kind network=%s kind=%s nodes=%d fwd_ms=%.2f bwd_ms=%.2f bwd_data_ms=%.2f "
        "bwd_weights_ms=%.2f share=%.1f%% train_gflops=%.1f\n",
        arch.name.value.c_str(), name.c_str(), k.nodes, k.t.fwd, k.t.bwd, k.t.bwd_data,
        k.t.bwd_weights, 100.0 * (k.t.fwd + k.t.bwd) / total, gflops);
  }
  std::printf("profile_total network=%s replay_sum_ms=%.2f\n", arch.name.value.c_str(), total);
  std::fflush(stdout);
  return true;
}

}  // namespace nas::bench
