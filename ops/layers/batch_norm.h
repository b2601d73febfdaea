// "batch_norm": per-channel batch normalisation of NHWC [N,H,W,C] (or [N,C])
// inputs; params gamma [C] (ones) and beta [C] (zeros); OpAttrs eps and
// momentum.
//
// Training (OpContext::training): normalises with the batch's mean and biased
// variance over the N*H*W rows, and updates the running statistics
//   running = (1 - m) * running + m * batch   (variance: the unbiased one)
// with m = momentum, or m = 1/(batches tracked + 1) in cumulative mode (BN
// recalibration; PyTorch's momentum=None). Inference normalises with the
// running statistics, which start at mean 0, variance 1.
//
// Cost (the inference form y = (x - mean)*scale + beta, nominally 2 flops an
// element): flops_other = 2*numel; bytes per io_cost(). Training also reads
// the input once more (the one-pass statistics), which cost() leaves out.
//
// Kernels: ops/kernels/layers/batch_norm_f32_* (vectorised over channels,
// chosen once from the CPU). Training forward reads x twice (one pass for the
// shifted per-channel sum and sum of squares, one to normalise); backward
// reads x and dy twice (one pass for sum(dy) and sum(dy * xhat), one for dx)
// and stores nothing else: xhat is recomputed from x and the saved mean and
// 1/std.
//
// Forward writes an output larger than the last-level cache with streaming
// (non-temporal) stores: no read of its lines before they are written.
//
// In place: backward accepts input_grads[0] aliasing output_grads[0] (same
// data pointer); the executor uses it so that dx overwrites dy (no separate
// dx buffer to allocate and write-allocate).
//
// Fusion with a following ReLU / ReLU6 (set by the executor in training, see
// set_fused_activation): forward then writes act(BN(x)) into outputs[0], and
// backward takes output_grads[0] to be the ACTIVATION's output gradient,
// masking it while it reads it with the activation's output recomputed from x
// (the forward's own scale and beta are kept for that, so the mask is exact
// even if the parameters change before backward; outputs[0] is not read).
// The results are bit-identical to running the two ops one after the other.
//
// Determinism: the statistics and the gamma/beta gradients are reduced over
// a row partition that depends only on the shape (RowBlocks), in double, in
// block order, so results are bit-identical on any thread count and ISA.
// The statistics: per block, sums of (x - K_b) and (x - K_b)^2 with the
// block's first row as the shift K_b, then the blocks' means and squared
// deviations merged in block order (Chan et al.'s pairwise update).
//
// Producer-side passes (set by the executor in training, see
// arm_input_stats / arm_grad_sums): those per-block sums can be gathered by
// the op that writes x (forward) or dy (backward), block by block while the
// block is in its cache (RowBlockObserver), instead of by a pass of BN's own
// over memory: the same per-block computation, so the same bits.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ops/core/op_registry.h"
#include "ops/core/row_block_observer.h"
#include "ops/kernels/layers/activation_kind.h"

namespace nas::ops {

class BatchNorm final : public Op {
 public:
  // Errors: not one input of rank 2 or 4; C < 1; eps <= 0; momentum outside [0, 1].
  static Result<std::unique_ptr<Op>> create(const OpAttrs& attrs, std::span<const Shape> inputs);

  const char* name() const override { return "batch_norm"; }
  OpCost cost() const override;
  void forward(const OpContext& ctx, std::span<const Tensor> inputs, std::span<const Tensor> params,
               std::span<Tensor> outputs) override;
  void backward(const OpContext& ctx, std::span<const Tensor> inputs,
                std::span<const Tensor> params, std::span<const Tensor> outputs,
                std::span<const Tensor> output_grads, std::span<Tensor> input_grads,
                std::span<Tensor> param_grads) override;

  int64_t channels() const { return c_; }
  // "running_mean" and "running_var" (the views below), for saving with the weights.
  std::vector<StateTensor> state_tensors() const override {
    return {{"running_mean", running_mean_}, {"running_var", running_var_}};
  }

  // The running statistics: writable [C] views of op-owned state, valid for the
  // op's lifetime (the executor saves and loads them through these).
  Tensor running_mean() const { return running_mean_; }
  Tensor running_var() const { return running_var_; }
  // Training batches folded into the running statistics since the last reset.
  int64_t batches_tracked() const { return batches_tracked_; }
  void set_batches_tracked(int64_t n) { batches_tracked_ = n; }

  // BN recalibration: sets mean 0, variance 1, batches tracked 0. With
  // `cumulative`, later training forwards average the batch statistics
  // equally (momentum 1/(k+1)) instead of using the momentum.
  void reset_running_stats(bool cumulative);
  // Back to the exponential moving average with OpAttrs::momentum.
  void set_cumulative(bool cumulative) { cumulative_ = cumulative; }

  // Fuses the activation that reads this op's output (see the file comment):
  // kIdentity (the default) means not fused. Set it before a forward and keep
  // it until the matching backward. REQUIRES: kIdentity, kRelu or kRelu6.
  void set_fused_activation(ActivationKind act);
  ActivationKind fused_activation() const { return fused_; }

  // The next training forward takes its statistics from the returned
  // observer instead of reading its input: the op writing `x` (the input of
  // that forward) reports its rows to it, and every block must be complete
  // when the forward runs. Resets the observer. The observer is op state.
  RowBlockObserver* arm_input_stats(const float* x);
  // The same for the gradient sums of the next backward: the op writing `dy`
  // (that backward's output_grads[0]) reports its rows; `x` is the
  // backward's input. Call after the matching forward.
  RowBlockObserver* arm_grad_sums(const float* x, const float* dy);

  // The next training forward normalises with these per-channel batch
  // statistics (c values each: the mean and the BIASED variance of its
  // input) instead of computing them from its input: e.g. those of a 1x1
  // conv's output derived from the conv's input (LinearOutputStats,
  // NetworkOptions::batch_norm_stats_from_input). All else is as usual: the
  // running statistics are updated from them (the variance made unbiased by
  // M/(M-1)), backward uses them as the forward's own, the output (or
  // deferred normalise) and fused activation are unchanged. Copies them.
  // REQUIRES: mean and var hold c values, var >= 0; not armed with
  // arm_input_stats for the same forward.
  void set_batch_stats(std::span<const double> mean, std::span<const double> var);

  // The next forward computes the statistics and coefficients but leaves
  // its output unwritten: the op reading it writes it instead, applying
  // normalize_rows (below) as it reads the input (e.g. a depthwise conv's
  // row ring, conv2d_forward_transformed), with the same bits.
  void defer_normalize() { normalize_deferred_ = true; }
  // Writes `pixels` rows of the last forward's output (act(BN(src)), the
  // fused activation included) from the matching input rows `src` to `dst`:
  // the forward's own kernel, so the same bits. `bn` is the BatchNorm; for
  // ConvInputTransform (thread-safe: reads op state the forward wrote).
  static void normalize_rows(const void* bn, const float* src, int64_t pixels, float* dst);

  // Outputs of at least this many bytes (32 MiB, a last-level cache) are
  // written with streaming stores by forward (same bits; see
  // BatchNormNormalizeFn): they cannot stay cached for their reader anyway.
  static int64_t streaming_store_bytes();

  // Folding into a preceding conv/linear: inference BN is y = x*scale + shift
  // with scale = gamma / sqrt(running_var + eps), shift = beta - running_mean*scale.
  // REQUIRES: gamma, beta, scale, shift hold C floats.
  void folded_scale_shift(const float* gamma, const float* beta, float* scale, float* shift) const;

 private:
  BatchNorm(const Shape& in, float eps, float momentum);
  // The batch's statistics (given, or merge_block_stats) into mean_ and
  // inv_std_, and the running statistics updated.
  void compute_batch_stats(const float* x);
  // sums_ = per channel the mean (at j) and the sum of squared deviations
  // (at c + j), from the blocks' shifted sums (computed now, or by the
  // armed observer).
  void merge_block_stats(const float* x);
  // One RowBlocks block's sums into block_sums_ (the same bits whether BN or
  // a producer's observer runs it): stats of x, or gradient sums of x, dy.
  // `cached`: the rows were just written (an observer's call), so the
  // kernels' in-cache variants run.
  void stats_block(const float* x, int64_t b, int64_t r0, int64_t r1, bool cached);
  void grad_sums_block(const float* x, const float* dy, int64_t b, int64_t r0, int64_t r1,
                       bool cached);
  // Runs block(b, row_begin, row_end) for every block, in parallel.
  template <typename Block>
  void over_blocks(const Block& block);
  // sums_ = the blocks' sums added in block order (s1 at 0, s2 at c).
  void add_block_sums();

  int64_t rows_ = 0, c_ = 0;
  float eps_, momentum_;
  bool cumulative_ = false;
  int64_t batches_tracked_ = 0;
  Tensor running_mean_, running_var_;
  ActivationKind fused_ = ActivationKind::kIdentity;
  // State sized once: the last forward's per-channel mean and 1/std (used by
  // backward), the last forward's scale and beta (fwd_coef_: backward
  // recomputes the fused activation's output), backward's a, b, d (coef_),
  // per-block float scratch and double partial sums of the reductions.
  std::vector<float> mean_, inv_std_, fwd_coef_, coef_, scratch_;
  std::vector<double> block_sums_, sums_;
  bool last_training_ = false;
  // Producer-side passes: armed until the forward / backward that uses them.
  std::unique_ptr<RowBlockObserver> stats_observer_, grad_observer_;
  const float* observed_x_ = nullptr;
  const float* observed_grad_x_ = nullptr;
  const float* observed_dy_ = nullptr;
  bool stats_armed_ = false, grad_armed_ = false;
  bool normalize_deferred_ = false;
  // Given statistics (set_batch_stats): mean at j, biased variance at c + j.
  std::vector<double> given_stats_;
  bool given_armed_ = false;
};

}  // namespace nas::ops
