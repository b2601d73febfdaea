#include "nas/graph/network.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "nas/graph/memory_plan.h"
#include "ops/conv/conv2d.h"
#include "ops/conv/conv2d_op.h"
#include "ops/layers/activation_functions.h"
#include "ops/layers/batch_norm.h"

namespace nas::graph {
namespace {

// Calls fn(shared_offset, view_offset, run) for each contiguous innermost run
// of a box of shape `view` placed at `offsets` inside a tensor of shape `full`.
template <typename Fn>
void for_each_box_run(const ops::Shape& full, const ops::Shape& view,
                      const std::vector<int64_t>& offsets, Fn fn) {
  const int rank = view.rank();
  if (rank == 0) {
    fn(0, 0, 1);
    return;
  }
  std::vector<int64_t> full_stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) full_stride[d] = full_stride[d + 1] * full[d + 1];
  const int64_t run = view[rank - 1];
  const int64_t rows = view.numel() / std::max<int64_t>(run, 1);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t src = offsets[rank - 1];
    for (int d = 0; d < rank - 1; ++d) src += (idx[d] + offsets[d]) * full_stride[d];
    fn(src, r * run, run);
    for (int d = rank - 2; d >= 0; --d) {  // odometer over the outer dims
      if (++idx[d] < view[d]) break;
      idx[d] = 0;
    }
  }
}

// Asks the kernel to back [p, p + bytes) with transparent huge pages where
// it can (the whole 2 MiB pages inside it). A training arena is hundreds of
// MB that memory-bound ops (BatchNorm, activations, depthwise) stream through
// several times a step; with 4 KiB pages every 64 cache lines of each stream
// is a TLB miss. Advisory: ignored when THP is off, results are unchanged.
void advise_huge_pages(void* p, int64_t bytes) {
  constexpr uintptr_t kPage = 4096;
  constexpr int64_t kMinBytes = int64_t{8} << 20;  // smaller arenas gain nothing
  if (bytes < kMinBytes) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) / kPage * kPage;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(bytes)) / kPage * kPage;
#if defined(MADV_HUGEPAGE)
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)begin;
  (void)end;
#endif
}

}  // namespace

Result<std::unique_ptr<Network>> Network::create(const NetworkSpec& spec, ExecMode mode,
                                                 uint64_t seed, const NetworkOptions& options) {
  std::unique_ptr<Network> net(new Network(spec, mode));
  const int n = spec.size();
  net->order_ = spec.topological_order();
  net->ops_.resize(n);
  net->node_params_.resize(n);
  net->node_param_grads_.resize(n);
  net->node_bindings_.resize(n);
  for (int id = 0; id < n; ++id) {
    const NodeSpec& node = spec.node(id);
    if (node.is_input()) continue;
    auto op = ops::op_registry().create(node.op, node.attrs, node.input_shapes);
    if (!op) return Status::error("failed to create node '" + node.name + "': " + op.status().message());
    net->ops_[id] = op.take();
    for (const ops::ParamSpec& p : node.params) {
      auto b = std::find_if(node.bindings.begin(), node.bindings.end(),
                            [&](const ParamBinding& x) { return x.param == p.name; });
      if (b == node.bindings.end()) {
        Parameter& param = net->params_.add(node.name + "." + p.name, p.shape, p.kind);
        init_parameter(p, param.name, seed, param.value);
        net->node_params_[id].push_back(param.value);
        net->node_param_grads_[id].push_back(param.grad);
        net->node_bindings_[id].push_back(nullptr);
      } else {
        if (net->params_.find(b->shared) == nullptr) {
          Parameter& shared = net->params_.add(b->shared, b->shared_shape, p.kind);
          init_parameter(p, shared.name, seed, shared.value);
        }
        net->node_params_[id].push_back(ops::Tensor::empty(p.shape));
        net->node_param_grads_[id].push_back(ops::Tensor::empty(p.shape));
        net->node_bindings_[id].push_back(&*b);
      }
    }
  }
  net->choose_fusions(options);
  net->in_place_enabled_ = options.in_place_gradients;
  net->virtual_enabled_ = options.batch_norm_output_virtual;
  net->plan();
  net->choose_batch_norm_passes_in_conv(options);
  return net;
}

void Network::choose_batch_norm_passes_in_conv(const NetworkOptions& options) {
  const int n = spec_.size();
  stats_bn_of_conv_.assign(n, -1);
  grad_bn_of_conv_.assign(n, -1);
  input_stats_bn_of_conv_.assign(n, -1);
  input_stats_.resize(n);
  apply_bn_of_conv_.assign(n, -1);
  bn_apply_deferred_.assign(n, false);
  if (mode_ != ExecMode::kTraining) return;
  const auto consumers = spec_.consumers();
  const auto outputs = spec_.outputs();
  auto conv_at = [&](int id) { return dynamic_cast<ops::Conv2d*>(ops_[id].get()); };
  // Never-materialised outputs (chosen with the plan): the conv reads BN's
  // input (kept for backward anyway) through BN's normalise.
  for (int id = 0; id < n; ++id) {
    const int bn = virtual_bn_of_conv_[id];
    if (bn < 0) continue;
    const TensorRef& x = spec_.node(bn).inputs[0];
    conv_at(id)->set_virtual_input(acts_[x.node][x.output].data(),
                                   {&ops::BatchNorm::normalize_rows, ops_[bn].get()});
    bn_apply_deferred_[bn] = true;
  }
  for (int id = 0; id < n; ++id) {
    if (dynamic_cast<ops::BatchNorm*>(ops_[id].get()) == nullptr) continue;
    // Forward: the conv writes all of BN's input (its only output) before
    // BN runs; other readers of it do not matter.
    const int producer = spec_.node(id).inputs[0].node;
    // Only outputs the conv would not stream anyway (see
    // conv2d_streams_output): then the saved pass is a pure saving.
    // BN's output (its fused activation's) written by the depthwise conv
    // that alone reads it, once.
    const int bn_out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
    if (options.batch_norm_apply_in_depthwise && !bn_apply_deferred_[id] &&
        std::find(outputs.begin(), outputs.end(), TensorRef{bn_out, 0}) == outputs.end() &&
        consumers[bn_out].size() == 1 && reads_[bn_out][0] == 1 &&
        conv_at(consumers[bn_out][0]) != nullptr &&
        conv_at(consumers[bn_out][0])->params().depthwise()) {
      apply_bn_of_conv_[consumers[bn_out][0]] = id;
      bn_apply_deferred_[id] = true;
    }
    if (options.batch_norm_stats_in_conv && conv_at(producer) != nullptr &&
        !ops::conv2d_streams_output(conv_at(producer)->params(), ops::ConvPass::kForward) &&
        stats_bn_of_conv_[producer] < 0)
      stats_bn_of_conv_[producer] = id;
    choose_stats_from_input(id, options);
    if (!options.batch_norm_grad_sums_in_conv) continue;
    // Backward: BN's output gradient is written whole, in place of nothing
    // else, by the backward-data of the one conv that reads the output once.
    const int out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
    if (std::find(outputs.begin(), outputs.end(), TensorRef{out, 0}) != outputs.end()) continue;
    if (consumers[out].size() != 1 || reads_[out][0] != 1) continue;
    const int reader = consumers[out][0];
    if (conv_at(reader) != nullptr &&
        !ops::conv2d_streams_output(conv_at(reader)->params(), ops::ConvPass::kBackwardData))
      grad_bn_of_conv_[reader] = id;
  }
}

void Network::choose_stats_from_input(int bn, const NetworkOptions& options) {
  if (!options.batch_norm_stats_from_input) return;
  const int conv_node = spec_.node(bn).inputs[0].node;
  const auto* conv = dynamic_cast<const ops::Conv2d*>(ops_[conv_node].get());
  // A conv that gathers this BN's statistics itself needs nothing more; one
  // whose input is never materialised has no input to read.
  if (conv == nullptr || stats_bn_of_conv_[conv_node] == bn ||
      virtual_bn_of_conv_[conv_node] >= 0 || input_stats_bn_of_conv_[conv_node] >= 0)
    return;
  // y = W x (+ b) row by row: each output pixel from its own input pixel.
  // Only outputs the conv streams (over 16 MiB): smaller ones are observed
  // by the conv (batch_norm_stats_in_conv, bit-identical) or read back from
  // the cache cheaply.
  const ops::ConvParams& p = conv->params();
  if (p.kernel_h != 1 || p.kernel_w != 1 || p.stride != 1 || p.pad != 0 || p.dilation != 1 ||
      p.groups != 1 || !ops::conv2d_streams_output(p, ops::ConvPass::kForward) ||
      !ops::linear_output_stats_pays(p.in_c, p.out_c))
    return;
  input_stats_bn_of_conv_[conv_node] = bn;
  input_stats_[conv_node] =
      std::make_unique<ops::LinearOutputStats>(p.batch * p.in_h * p.in_w, p.in_c);
  derived_mean_.resize(std::max<size_t>(derived_mean_.size(), p.out_c));
  derived_var_.resize(std::max<size_t>(derived_var_.size(), p.out_c));
}

void Network::derive_batch_norm_stats(int conv_node) {
  const int bn = input_stats_bn_of_conv_[conv_node];
  const ops::ConvParams& p = static_cast<const ops::Conv2d*>(ops_[conv_node].get())->params();
  const TensorRef& x = spec_.node(conv_node).inputs[0];
  const float* bias = p.bias ? node_params_[conv_node][1].data() : nullptr;
  input_stats_[conv_node]->compute(acts_[x.node][x.output].data(),
                                   node_params_[conv_node][0].data(), bias, p.out_c,
                                   derived_mean_.data(), derived_var_.data());
  static_cast<ops::BatchNorm*>(ops_[bn].get())
      ->set_batch_stats({derived_mean_.data(), static_cast<size_t>(p.out_c)},
                        {derived_var_.data(), static_cast<size_t>(p.out_c)});
}

int Network::batch_norm_stats_from_input() const {
  return static_cast<int>(std::count_if(input_stats_bn_of_conv_.begin(),
                                        input_stats_bn_of_conv_.end(),
                                        [](int b) { return b >= 0; }));
}

int Network::batch_norm_stats_in_conv() const {
  return static_cast<int>(std::count_if(stats_bn_of_conv_.begin(), stats_bn_of_conv_.end(),
                                        [](int b) { return b >= 0; }));
}

int Network::batch_norm_apply_in_depthwise() const {
  return static_cast<int>(std::count_if(apply_bn_of_conv_.begin(), apply_bn_of_conv_.end(),
                                        [](int bn) { return bn >= 0; }));
}

int Network::batch_norm_grad_sums_in_conv() const {
  return static_cast<int>(std::count_if(grad_bn_of_conv_.begin(), grad_bn_of_conv_.end(),
                                        [](int b) { return b >= 0; }));
}

void Network::choose_fusions(const NetworkOptions& options) {
  const int n = spec_.size();
  fused_act_of_bn_.assign(n, -1);
  fused_bn_of_act_.assign(n, -1);
  if (mode_ != ExecMode::kTraining || !options.fuse_batch_norm_activation) return;
  const auto consumers = spec_.consumers();
  const auto outputs = spec_.outputs();
  for (int id = 0; id < n; ++id) {
    auto* bn = dynamic_cast<ops::BatchNorm*>(ops_[id].get());
    if (bn == nullptr) continue;
    if (std::find(outputs.begin(), outputs.end(), TensorRef{id, 0}) != outputs.end()) continue;
    // One reader node with one input: the BN output is read exactly once.
    if (consumers[id].size() != 1) continue;
    const int act = consumers[id][0];
    const NodeSpec& an = spec_.node(act);
    if (an.inputs.size() != 1) continue;
    ops::ActivationKind kind = ops::ActivationKind::kIdentity;
    for (ops::ActivationKind k : {ops::ActivationKind::kRelu, ops::ActivationKind::kRelu6})
      if (an.op == ops::activation_name(k)) kind = k;
    if (kind == ops::ActivationKind::kIdentity) continue;
    bn->set_fused_activation(kind);
    fused_act_of_bn_[id] = act;
    fused_bn_of_act_[act] = id;
  }
}

int Network::fused_pairs() const {
  return static_cast<int>(std::count_if(fused_act_of_bn_.begin(), fused_act_of_bn_.end(),
                                        [](int a) { return a >= 0; }));
}

void Network::choose_in_place_gradients() {
  const int n = spec_.size();
  inplace_input_.assign(n, -1);
  grad_alias_.assign(n, {});
  for (int id = 0; id < n; ++id)
    grad_alias_[id].assign(spec_.node(id).output_shapes.size(), TensorRef{-1, 0});
  if (mode_ != ExecMode::kTraining || !in_place_enabled_) return;
  const auto outputs = spec_.outputs();
  for (int id = 0; id < n; ++id) {
    const NodeSpec& node = spec_.node(id);
    if (ops_[id] == nullptr || fused_bn_of_act_[id] >= 0) continue;
    // Ops whose backward may write an input's gradient over the output
    // gradient: batch_norm (dx over dy, BatchNorm's contract) and add of two
    // same-shape tensors (the gradient is dy itself: no copy at all).
    std::vector<int> candidates;
    if (dynamic_cast<ops::BatchNorm*>(ops_[id].get()) != nullptr) {
      candidates = {0};
    } else if (node.op == "add" && node.input_shapes.size() == 2 &&
               node.input_shapes[0] == node.input_shapes[1]) {
      candidates = {0, 1};
    }
    for (int i : candidates) {
      const TensorRef t = node.inputs[i];
      // Only a tensor this node alone reads (no accumulation into it), that
      // is not a network input (no gradient) or output (seeded separately).
      if (spec_.node(t.node).is_input() || reads_[t.node][t.output] != 1) continue;
      if (std::find(outputs.begin(), outputs.end(), t) != outputs.end()) continue;
      if (!(spec_.node(t.node).output_shapes[t.output] == node.output_shapes[0])) continue;
      inplace_input_[id] = i;
      const int out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
      grad_alias_[t.node][t.output] = TensorRef{out, 0};
      break;
    }
  }
}

void Network::choose_virtual_outputs() {
  const int n = spec_.size();
  virtual_bn_of_conv_.assign(n, -1);
  act_virtual_.assign(n, false);
  if (mode_ != ExecMode::kTraining || !virtual_enabled_) return;
  const auto consumers = spec_.consumers();
  const auto outputs = spec_.outputs();
  for (int id = 0; id < n; ++id) {
    if (dynamic_cast<ops::BatchNorm*>(ops_[id].get()) == nullptr) continue;
    // BN's input must be in the arena for the conv's backward (a network
    // input is bound only at forward).
    if (spec_.node(spec_.node(id).inputs[0].node).is_input()) continue;
    const int out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
    if (std::find(outputs.begin(), outputs.end(), TensorRef{out, 0}) != outputs.end()) continue;
    if (consumers[out].size() != 1 || reads_[out][0] != 1) continue;
    const auto* conv = dynamic_cast<const ops::Conv2d*>(ops_[consumers[out][0]].get());
    if (conv == nullptr || !ops::conv2d_transforms_input_in_place(conv->params())) continue;
    virtual_bn_of_conv_[consumers[out][0]] = id;
    act_virtual_[out] = true;
  }
}

int Network::batch_norm_outputs_virtual() const {
  return static_cast<int>(
      std::count_if(act_virtual_.begin(), act_virtual_.end(), [](bool v) { return v; }));
}

int Network::in_place_gradients() const {
  return static_cast<int>(
      std::count_if(inplace_input_.begin(), inplace_input_.end(), [](int i) { return i >= 0; }));
}

void Network::plan() {
  const int n = spec_.size();
  const int steps = static_cast<int>(order_.size());
  std::vector<int> pos(n);
  for (int p = 0; p < steps; ++p) pos[order_[p]] = p;
  const auto consumers = spec_.consumers();
  const auto outputs = spec_.outputs();
  const bool training = mode_ == ExecMode::kTraining;
  // Steps: forward of node at position p is step p; in training the seeding
  // of output gradients is step `steps` and backward of position p is step
  // 2*steps - p.
  auto backward_step = [&](int id) { return 2 * steps - pos[id]; };

  reads_.assign(n, {});
  for (int id = 0; id < n; ++id) reads_[id].assign(spec_.node(id).output_shapes.size(), 0);
  for (int id = 0; id < n; ++id)
    for (const TensorRef& t : spec_.node(id).inputs) ++reads_[t.node][t.output];
  choose_in_place_gradients();
  choose_virtual_outputs();

  struct Slot {
    int node, output;
    bool grad;
  };
  std::vector<Slot> slots;
  std::vector<BufferRequest> requests;
  // Per tensor: the request of its gradient (-1: it shares another tensor's,
  // see grad_alias_) and the last step that gradient is read.
  std::vector<std::vector<int>> grad_request(n);
  std::vector<std::vector<int>> grad_last(n);
  for (int id = 0; id < n; ++id) {
    const NodeSpec& node = spec_.node(id);
    grad_request[id].assign(node.output_shapes.size(), -1);
    grad_last[id].assign(node.output_shapes.size(), 0);
    if (node.is_input()) continue;
    // A fused batch_norm has no buffers of its own: it writes its
    // activation's output and reads that output's gradient.
    if (fused_act_of_bn_[id] >= 0) continue;
    int last_reader = pos[id];
    for (int c : consumers[id]) last_reader = std::max(last_reader, pos[c]);
    int first_grad = training ? backward_step(id) : 0;
    for (int c : consumers[id]) first_grad = std::min(first_grad, backward_step(c));
    // A fused activation's buffers are written by its batch_norm's forward
    // and read by its backward, both outside the activation's own steps.
    const int fused_bn = fused_bn_of_act_[id];
    const int first_write = fused_bn >= 0 ? pos[fused_bn] : pos[id];
    const int last_backward = training ? backward_step(fused_bn >= 0 ? fused_bn : id) : 0;
    for (int k = 0; k < static_cast<int>(node.output_shapes.size()); ++k) {
      const bool is_output = std::find(outputs.begin(), outputs.end(), TensorRef{id, k}) != outputs.end();
      const int64_t bytes = node.output_shapes[k].numel() * static_cast<int64_t>(sizeof(float));
      BufferRequest act{bytes, first_write, last_reader};
      if (training) act.last_step = last_backward;
      else if (is_output) act.last_step = steps - 1;
      if (k != 0 || !act_virtual_[id]) {  // a never-materialised output has no buffer
        requests.push_back(act);
        slots.push_back({id, k, false});
      }
      if (training) {
        grad_last[id][k] = last_backward;
        // An in-place gradient is born in the buffer of its reader's output
        // gradient at the reader's backward, the step that buffer's previous
        // tensor dies: the chain shares one request (extended below).
        if (grad_alias_[id][k].node >= 0) continue;
        grad_request[id][k] = static_cast<int>(requests.size());
        requests.push_back({bytes, is_output ? steps : first_grad, last_backward});
        slots.push_back({id, k, true});
      }
    }
  }
  // The tensor whose gradient buffer `t`'s gradient lives in.
  auto grad_root = [&](TensorRef t) {
    while (grad_alias_[t.node][t.output].node >= 0) t = grad_alias_[t.node][t.output];
    return t;
  };
  if (training)
    for (int id = 0; id < n; ++id)
      for (size_t k = 0; k < grad_alias_[id].size(); ++k) {
        if (grad_alias_[id][k].node < 0) continue;
        const TensorRef root = grad_root(TensorRef{id, static_cast<int>(k)});
        BufferRequest& r = requests[grad_request[root.node][root.output]];
        r.last_step = std::max(r.last_step, grad_last[id][k]);
      }
  const MemoryPlan mp = plan_memory(requests);
  arena_bytes_ = mp.arena_bytes;
  live_bound_ = mp.live_bytes_bound;
  arena_ = ops::allocate_floats(std::max<int64_t>(arena_bytes_ / 4, 1));
  advise_huge_pages(arena_.get(), arena_bytes_);
  acts_.assign(n, {});
  grads_.assign(n, {});
  for (int id = 0; id < n; ++id) {
    acts_[id].resize(spec_.node(id).output_shapes.size());
    grads_[id].resize(spec_.node(id).output_shapes.size());
  }
  for (int id = 0; id < n; ++id)
    if (act_virtual_[id]) acts_[id][0] = ops::Tensor::wrap(nullptr, spec_.node(id).output_shapes[0]);
  for (size_t i = 0; i < slots.size(); ++i) {
    const Slot& s = slots[i];
    ops::Tensor t = ops::Tensor::wrap(arena_.get() + mp.offsets[i] / 4,
                                      spec_.node(s.node).output_shapes[s.output]);
    (s.grad ? grads_ : acts_)[s.node][s.output] = t;
  }
  if (training)
    for (int id = 0; id < n; ++id)
      for (size_t k = 0; k < grad_alias_[id].size(); ++k) {
        if (grad_alias_[id][k].node < 0) continue;
        const TensorRef root = grad_root(TensorRef{id, static_cast<int>(k)});
        grads_[id][k] = ops::Tensor::wrap(grads_[root.node][root.output].data(),
                                          spec_.node(id).output_shapes[k]);
      }
}

MemoryReport Network::memory_report() const {
  return {arena_bytes_, live_bound_, params_.bytes()};
}

ops::OpContext Network::node_context(const ops::OpContext& ctx, int node) {
  // Each stochastic node draws its own stream: two dropout nodes of one step
  // must not share a mask.
  ops::OpContext c = ctx;
  c.seed = (ctx.seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(node + 1))) * 0xBF58476D1CE4E5B9ull;
  return c;
}

std::vector<std::pair<std::string, ops::Tensor>> Network::named_tensors() const {
  std::vector<std::pair<std::string, ops::Tensor>> out;
  for (const Parameter& p : params_.all()) out.emplace_back(p.name, p.value);
  for (int id = 0; id < spec_.size(); ++id) {
    if (ops_[id] == nullptr) continue;
    for (const ops::Op::StateTensor& s : ops_[id]->state_tensors())
      out.emplace_back(spec_.node(id).name + "." + s.name, s.tensor);
  }
  return out;
}

void Network::gather_bound_params() {
  for (int id = 0; id < spec_.size(); ++id) {
    for (size_t i = 0; i < node_bindings_[id].size(); ++i) {
      const ParamBinding* b = node_bindings_[id][i];
      if (b == nullptr) continue;
      const float* src = params_.find(b->shared)->value.data();
      float* dst = node_params_[id][i].data();
      for_each_box_run(b->shared_shape, node_params_[id][i].shape(), b->offsets,
                       [&](int64_t s, int64_t d, int64_t run) {
                         std::memcpy(dst + d, src + s, run * sizeof(float));
                       });
    }
  }
}

std::vector<ops::Tensor> Network::forward(std::span<const ops::Tensor> inputs,
                                          const ops::OpContext& ctx) {
  NAS_CHECK(inputs.size() == spec_.inputs().size());
  bound_inputs_.assign(inputs.begin(), inputs.end());
  for (size_t j = 0; j < inputs.size(); ++j) {
    const int id = spec_.inputs()[j];
    NAS_CHECK(inputs[j].shape() == spec_.node(id).output_shapes[0]);
    acts_[id][0] = inputs[j];
  }
  gather_bound_params();
  std::vector<ops::Tensor> in;
  for (int id : order_) {
    if (ops_[id] == nullptr || fused_bn_of_act_[id] >= 0) continue;  // run by its batch_norm
    in.clear();
    for (const TensorRef& t : spec_.node(id).inputs) in.push_back(acts_[t.node][t.output]);
    const int out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
    if (bn_apply_deferred_[id]) static_cast<ops::BatchNorm*>(ops_[id].get())->defer_normalize();
    const int bn = stats_bn_of_conv_[id], applied = apply_bn_of_conv_[id];
    if ((bn >= 0 && ctx.training) || applied >= 0) {
      auto* conv = static_cast<ops::Conv2d*>(ops_[id].get());
      if (bn >= 0 && ctx.training)
        conv->set_output_observer(
            static_cast<ops::BatchNorm*>(ops_[bn].get())->arm_input_stats(acts_[id][0].data()));
      if (applied >= 0) {
        const TensorRef& x = spec_.node(applied).inputs[0];
        conv->set_input_transform(acts_[x.node][x.output].data(),
                                  {&ops::BatchNorm::normalize_rows, ops_[applied].get()});
      }
      conv->forward(node_context(ctx, id), in, node_params_[id], acts_[out]);
      conv->set_output_observer(nullptr);
      conv->set_input_transform(nullptr, {});
    } else {
      ops_[id]->forward(node_context(ctx, id), in, node_params_[id], acts_[out]);
    }
    // Now, while the conv's input is still in the last-level cache (its
    // output went out with streaming stores): BN's statistics from it.
    if (input_stats_bn_of_conv_[id] >= 0 && ctx.training) derive_batch_norm_stats(id);
  }
  std::vector<ops::Tensor> out;
  for (const TensorRef& t : spec_.outputs()) out.push_back(acts_[t.node][t.output]);
  return out;
}

void Network::backward(std::span<const ops::Tensor> output_grads, const ops::OpContext& ctx) {
  NAS_CHECK(mode_ == ExecMode::kTraining);
  const auto outputs = spec_.outputs();
  NAS_CHECK(output_grads.size() == outputs.size());
  const int n = spec_.size();
  std::vector<std::vector<char>> ready(n);
  for (int id = 0; id < n; ++id) ready[id].assign(grads_[id].size(), 0);
  auto accumulate = [&](TensorRef r, const ops::Tensor& g) {
    ops::Tensor& dst = grads_[r.node][r.output];
    const int64_t m = dst.numel();
    if (!ready[r.node][r.output]) {
      std::memcpy(dst.data(), g.data(), m * sizeof(float));
      ready[r.node][r.output] = 1;
    } else {
      float* d = dst.data();
      const float* s = g.data();
      for (int64_t i = 0; i < m; ++i) d[i] += s[i];
    }
  };
  for (size_t i = 0; i < outputs.size(); ++i) accumulate(outputs[i], output_grads[i]);
  // Shared (bound) tensors collect gradients from every node that views them.
  for (int id = 0; id < n; ++id)
    for (const ParamBinding* b : node_bindings_[id])
      if (b != nullptr) params_.find(b->shared)->grad.fill(0.0f);

  ops::Workspace& ws = ops::thread_scratch();
  std::vector<ops::Tensor> in, din;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const int id = *it;
    if (ops_[id] == nullptr) continue;
    const NodeSpec& node = spec_.node(id);
    // A fused batch_norm reads its activation's output and output gradient.
    const int out = fused_act_of_bn_[id] >= 0 ? fused_act_of_bn_[id] : id;
    if (out == id)
      for (size_t k = 0; k < grads_[id].size(); ++k)
        if (!ready[id][k]) grads_[id][k].fill(0.0f);  // an output nobody reads
    if (fused_bn_of_act_[id] >= 0) continue;  // back-propagated by its batch_norm
    const auto mark = ws.mark();
    in.clear();
    din.clear();
    std::vector<bool> direct;
    for (const TensorRef& t : node.inputs) {
      in.push_back(acts_[t.node][t.output]);
      if (spec_.node(t.node).is_input()) {
        din.emplace_back();  // network inputs need no gradient
        direct.push_back(true);
      } else if (reads_[t.node][t.output] == 1) {
        // Possibly the output gradient's own buffer (an in-place input).
        din.push_back(grads_[t.node][t.output]);
        direct.push_back(true);
      } else if (!ready[t.node][t.output]) {
        // The first gradient of a tensor read several times is written
        // straight into its buffer; later ones are added to it. Marked ready
        // now so that a second read of it by this same node accumulates.
        din.push_back(grads_[t.node][t.output]);
        direct.push_back(true);
        ready[t.node][t.output] = 1;
      } else {
        din.push_back(ops::Tensor::wrap(ws.alloc_floats(in.back().numel()), in.back().shape()));
        direct.push_back(false);
      }
    }
    const int bn = grad_bn_of_conv_[id];
    auto* conv = bn >= 0 && din[0].defined() ? static_cast<ops::Conv2d*>(ops_[id].get()) : nullptr;
    if (conv != nullptr) {
      const TensorRef x = spec_.node(bn).inputs[0];
      conv->set_input_grad_observer(static_cast<ops::BatchNorm*>(ops_[bn].get())
                                        ->arm_grad_sums(acts_[x.node][x.output].data(), din[0].data()));
    }
    ops_[id]->backward(node_context(ctx, id), in, node_params_[id], acts_[out], grads_[out], din,
                       node_param_grads_[id]);
    if (conv != nullptr) conv->set_input_grad_observer(nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const TensorRef& t = node.inputs[i];
      if (spec_.node(t.node).is_input()) continue;
      if (direct[i]) ready[t.node][t.output] = 1;
      else accumulate(t, din[i]);
    }
    for (size_t i = 0; i < node_bindings_[id].size(); ++i) {
      const ParamBinding* b = node_bindings_[id][i];
      if (b == nullptr) continue;
      float* dst = params_.find(b->shared)->grad.data();
      const float* src = node_param_grads_[id][i].data();
      for_each_box_run(b->shared_shape, node_param_grads_[id][i].shape(), b->offsets,
                       [&](int64_t s, int64_t d, int64_t run) {
                         for (int64_t j = 0; j < run; ++j) dst[s + j] += src[d + j];
                       });
    }
    ws.release(mark);
  }
}

}  // namespace nas::graph
