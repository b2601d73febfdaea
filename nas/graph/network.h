// Network: a NetworkSpec instantiated with ops and parameters. Forward runs
// in topological order, backward in reverse; activations (and, in training,
// gradients) live in one arena laid out by a liveness plan, so steady-state
// steps allocate nothing. In training, a gradient that a node can compute in
// place over its output gradient (batch_norm, add) shares that buffer
// (in_place_gradients()), and the first gradient of a tensor read by several
// nodes is written straight into its buffer, later ones added to it. Arenas
// of 8 MiB or more are advised to use transparent huge pages (madvise).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nas/graph/network_spec.h"
#include "nas/graph/parameter_store.h"
#include "ops/core/op.h"
#include "ops/core/workspace.h"
#include "ops/layers/linear_output_stats.h"

namespace nas::graph {

enum class ExecMode {
  kInference,  // activations freed after their last reader
  kTraining,   // activations kept for backward; gradients planned too
};

// Exact bytes of the plan this network runs with.
struct MemoryReport {
  int64_t activation_bytes = 0;  // the arena: activations (+ gradients in training)
  int64_t live_bytes_bound = 0;  // the plan's lower bound, for comparison
  int64_t param_bytes = 0;       // parameter values (gradients are as many again in training)
};

// How a Network executes; every default is what training and search use.
struct NetworkOptions {
  // kTraining only: a batch_norm node whose output is read by exactly one
  // node, a relu or relu6, and is not a network output runs fused with it
  // (one normalise pass writing the activation's output, the mask applied
  // inside BN's backward; BatchNorm::set_fused_activation). The BN's own
  // output and gradient buffers are then not planned. Results are
  // bit-identical to the unfused run; false runs every node on its own (the
  // tests compare the two). Inference networks never fuse, so the profiler
  // times every node.
  bool fuse_batch_norm_activation = true;
  // kTraining only: a node that can write an input's gradient over its
  // output gradient does so when that input is read by it alone and is no
  // network input or output: batch_norm (dx over dy, one buffer and one
  // write-allocate fewer) and add of two same-shape tensors (one input's
  // gradient is dy itself: no copy). Bit-identical to false, which gives
  // every gradient its own buffer (the tests compare the two).
  bool in_place_gradients = true;
  // kTraining only: a batch_norm whose input is written by a conv2d /
  // depthwise_conv2d node has its statistics gathered by that conv, block by
  // block while each block of the output is still in cache
  // (BatchNorm::arm_input_stats, a RowBlockObserver on the conv's output
  // rows), instead of by a pass of its own, when the conv would not stream
  // that output anyway (ops::conv2d_streams_output: at most 16 MiB). A
  // streamed output observed would be written with ordinary stores, whose
  // read-for-ownership costs what the saved pass did (measured 3-4% slower
  // per MBv2-stack step; docs/architecture.md). Bit-identical to false (the
  // tests compare them).
  bool batch_norm_stats_in_conv = true;
  // kTraining: a batch_norm whose input is written by a 1x1 conv2d (stride
  // 1, no padding, one group, dilation 1) that streams it (over 16 MiB,
  // ops::conv2d_streams_output: so not observed by batch_norm_stats_in_conv)
  // gets its batch mean and variance derived from the conv's INPUT instead
  // of a pass over its own output: y = W x (+ b) has mean
  // W mean_x (+ b) and variance w_o^T Cov(x) w_o (ops::LinearOutputStats,
  // BatchNorm::set_batch_stats), computed just after the conv's forward
  // while its input is still in the last-level cache. Taken only where the
  // covariance costs clearly less than reading the output
  // (ops::linear_output_stats_pays: in_c^2 <= 6 out_c, e.g. every MBv2
  // expand conv). Saves one read of the expanded tensor per block (19-58 MB
  // on the MBv2 stack). NOT bit-identical to false: the statistics are
  // those of the exact W x, not of the float32 output, so they agree to
  // float32 precision (the tests bound the difference over training steps);
  // bit-identical on any thread count. See docs/architecture.md for the
  // measurement behind the default.
  bool batch_norm_stats_from_input = true;
  // kTraining only: when a batch_norm's output gradient (its fused
  // activation's, if fused) is written by the backward-data of a conv that
  // alone reads that output, BN's gradient sums are gathered in that conv
  // the same way (BatchNorm::arm_grad_sums), and BN's backward is one pass
  // (also only when the conv would not stream that gradient).
  // Off by default: measured 10% slower per MBv2-stack step (the conv can no
  // longer stream dy, and it reads BN's input from memory itself; see
  // docs/architecture.md). Bit-identical to false.
  bool batch_norm_grad_sums_in_conv = false;
  // kTraining: when a batch_norm's output (its fused activation's, if fused)
  // is read only by a depthwise conv, BN's forward leaves it unwritten and
  // the conv writes it (BatchNorm::defer_normalize,
  // ops::conv2d_forward_transformed): on batches beyond the caches the
  // depthwise forward normalises each input row as its row ring copies it,
  // so BN's normalise pass no longer reads its input from memory. The
  // output is still written whole (the backward passes read it).
  // Bit-identical to false (the tests compare them).
  bool batch_norm_apply_in_depthwise = true;
  // kTraining: a batch_norm whose output (its fused activation's, if fused)
  // is read once, by one conv alone, is not a network output, and whose
  // input is no network input, is never materialised when that conv reads a
  // transformed input in place (ops::conv2d_transforms_input_in_place: 1x1
  // convs, e.g. MBv2's project conv after depthwise - BN - ReLU6): BN's
  // forward computes its statistics and coefficients only
  // (BatchNorm::defer_normalize), and the conv's forward and weight gradient
  // read BN's input, applying BN (+ activation) to each block of pixels in
  // thread scratch (ops::Conv2d::set_virtual_input). BN's backward reads its
  // input, never its output. That output gets no buffer in the plan (the
  // arena and memory_report() shrink by it where it was live at the peak).
  // Bit-identical to false (the tests compare them). Off by default: the
  // interleaved A/B on the MBv2 stack (docs/architecture.md) measured no
  // difference within the noise of a loaded machine.
  bool batch_norm_output_virtual = false;
};

class Network {
 public:
  // Creates the ops and the parameters (initialised from `seed` per their
  // ParamSpec; shared tensors of bindings created once, zero-initialised then
  // filled from the first binding's init rule).
  static Result<std::unique_ptr<Network>> create(const NetworkSpec& spec, ExecMode mode,
                                                 uint64_t seed,
                                                 const NetworkOptions& options = {});
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const NetworkSpec& spec() const { return spec_; }
  ExecMode mode() const { return mode_; }
  ParameterStore& parameters() { return params_; }
  const ParameterStore& parameters() const { return params_; }
  MemoryReport memory_report() const;

  // Runs the network. Returns views of the outputs, valid until the next call.
  // REQUIRES: one tensor per spec input, of its shape, alive until backward.
  std::vector<ops::Tensor> forward(std::span<const ops::Tensor> inputs, const ops::OpContext& ctx);

  // Back-propagates `output_grads` (one per output) and OVERWRITES every
  // parameter gradient. REQUIRES: kTraining, and forward was the last call.
  void backward(std::span<const ops::Tensor> output_grads, const ops::OpContext& ctx);

  // The op of a node (e.g. to read BatchNorm statistics); null for inputs.
  ops::Op* op(int node) { return ops_[node].get(); }
  // Fused batch_norm -> activation pairs (see NetworkOptions): how many.
  int fused_pairs() const;
  // Nodes whose backward writes an input's gradient over their output
  // gradient (kTraining): a batch_norm's input read by it alone (dx over
  // dy), and one input of a same-shape add read by it alone (its gradient is
  // dy: no copy). Those gradients share the output gradient's buffer.
  int in_place_gradients() const;
  // batch_norm nodes whose statistics (forward) / gradient sums (backward)
  // are gathered by a conv (NetworkOptions::batch_norm_stats_in_conv,
  // batch_norm_grad_sums_in_conv).
  int batch_norm_stats_in_conv() const;
  int batch_norm_grad_sums_in_conv() const;
  // batch_norm nodes whose statistics are derived from their 1x1 conv's
  // input (NetworkOptions::batch_norm_stats_from_input).
  int batch_norm_stats_from_input() const;
  // batch_norm nodes whose output is written by the depthwise conv reading
  // it (NetworkOptions::batch_norm_apply_in_depthwise).
  int batch_norm_apply_in_depthwise() const;
  // batch_norm nodes whose output is never materialised
  // (NetworkOptions::batch_norm_output_virtual).
  int batch_norm_outputs_virtual() const;

  // Every parameter (by its store name) and every op state tensor
  // ("bn1.running_mean"), in a stable order: views, for saving and loading.
  std::vector<std::pair<std::string, ops::Tensor>> named_tensors() const;

 private:
  Network(const NetworkSpec& spec, ExecMode mode) : spec_(spec), mode_(mode) {}
  void plan();
  static ops::OpContext node_context(const ops::OpContext& ctx, int node);
  void gather_bound_params();
  void choose_fusions(const NetworkOptions& options);
  void choose_in_place_gradients();
  void choose_virtual_outputs();
  void choose_batch_norm_passes_in_conv(const NetworkOptions& options);
  void choose_stats_from_input(int bn, const NetworkOptions& options);
  // After conv node `conv`'s training forward: the statistics of its output
  // from its input, handed to the batch_norm that reads it.
  void derive_batch_norm_stats(int conv);

  NetworkSpec spec_;
  ExecMode mode_;
  std::vector<int> order_;                    // topological
  std::vector<std::unique_ptr<ops::Op>> ops_;  // per node; null for inputs
  ParameterStore params_;
  // Per node, per ParamSpec: the tensor the op reads and the gradient it writes.
  std::vector<std::vector<ops::Tensor>> node_params_, node_param_grads_;
  // Per node, per ParamSpec: the binding into a shared tensor, or null.
  std::vector<std::vector<const ParamBinding*>> node_bindings_;
  // Activation / gradient arena and per-tensor views into it.
  std::shared_ptr<float[]> arena_;
  int64_t arena_bytes_ = 0, live_bound_ = 0;
  std::vector<std::vector<ops::Tensor>> acts_, grads_;
  // How many times each tensor is read (fan-out needs gradient accumulation).
  std::vector<std::vector<int>> reads_;
  // Per node: for a fused batch_norm its activation node, for a fused
  // activation its batch_norm node; -1 when not fused.
  std::vector<int> fused_act_of_bn_, fused_bn_of_act_;
  // Per node: the input whose gradient is written in place over the node's
  // output gradient (-1: none). Per tensor: the tensor whose gradient buffer
  // its gradient shares (node -1: its own buffer).
  bool in_place_enabled_ = true;
  std::vector<int> inplace_input_;
  std::vector<std::vector<TensorRef>> grad_alias_;
  // Per conv node: the batch_norm node whose statistics it gathers in its
  // forward / whose gradient sums it gathers in its backward-data (-1: none).
  std::vector<int> stats_bn_of_conv_, grad_bn_of_conv_;
  // Per conv node: the batch_norm whose statistics are derived from the
  // conv's input (-1: none), with the state that computes them.
  std::vector<int> input_stats_bn_of_conv_;
  std::vector<std::unique_ptr<ops::LinearOutputStats>> input_stats_;
  std::vector<double> derived_mean_, derived_var_;
  // Per depthwise conv node: the batch_norm whose output it writes; per
  // batch_norm node: whether its normalise is deferred to that conv.
  std::vector<int> apply_bn_of_conv_;
  std::vector<bool> bn_apply_deferred_;
  // Per conv node: the batch_norm whose never-materialised output it reads
  // through BatchNorm::normalize_rows (-1: none); per node: whether its
  // output 0 is such an output (no buffer: acts_ holds a null view).
  bool virtual_enabled_ = true;
  std::vector<int> virtual_bn_of_conv_;
  std::vector<bool> act_virtual_;
  std::vector<ops::Tensor> bound_inputs_;  // the caller's inputs of the last forward
};

}  // namespace nas::graph
