#include "ops/conv/conv2d.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_autotune.h"
#include "ops/conv/conv_depthwise.h"
#include "ops/conv/conv_gemm1x1.h"
#include "ops/conv/conv_common.h"
#include "ops/core/parallel.h"
#include "ops/core/workspace.h"

namespace nas::ops {
namespace conv_detail {

std::span<const ConvAlgoImpl> conv_algorithms() {
  static const ConvAlgoImpl list[] = {direct_algo(), im2col_algo(), gemm1x1_algo(),
                                      winograd_algo(), depthwise_algo(), winograd_s2_algo()};
  return list;
}

const ConvAlgoImpl& conv_algorithm(ConvAlgo algo) {
  for (const ConvAlgoImpl& a : conv_algorithms())
    if (a.algo == algo) return a;
  NAS_CHECK(false);
  return conv_algorithms()[0];
}

}  // namespace conv_detail

namespace {

using conv_detail::ConvAlgoImpl;

// NAS_CONV_ALGO, read once at first use (never inside a kernel).
ConvAlgo env_algo() {
  static const ConvAlgo algo = [] {
    const char* s = std::getenv("NAS_CONV_ALGO");
    if (s == nullptr || *s == '\0') return ConvAlgo::kAuto;
    if (std::optional<ConvAlgo> a = parse_conv_algo(s)) return *a;
    std::fprintf(stderr,
                 "warning: ignoring NAS_CONV_ALGO=%s (expected direct, im2col, gemm1x1, "
                 "winograd, depthwise, winograd_s2 or auto)\n", s);
    return ConvAlgo::kAuto;
  }();
  return algo;
}

std::atomic<ConvAlgo> g_pin{ConvAlgo::kAuto};

ConvAlgo pinned(const ConvParams& p) {
  ConvAlgo a = p.algo;
  if (a == ConvAlgo::kAuto) a = g_pin.load(std::memory_order_relaxed);
  if (a == ConvAlgo::kAuto) a = env_algo();
  if (a == ConvAlgo::kAuto) return a;
  return conv_algo_applies(a, p) ? a : conv_algo_fallback(p);
}

// Runs `pass` with the resolved algorithm; on a cache miss times every
// applicable algorithm and keeps the fastest, leaving its result in the
// outputs. Each algorithm runs once untimed (first-touch and scratch growth
// are not charged to whichever runs first), then in interleaved rounds whose
// fastest run counts: one timed run per algorithm made the pick a coin flip
// when other processes shared the cores. A candidate already 2x slower than
// the best is not timed again. While another candidate's fastest run is
// within kCloseMargin of the best, rounds go on (up to kMaxRounds) among the
// close ones: a burst of load over three rounds of one algorithm had made the
// autotuner keep direct where winograd_s2 was 15% faster, in 1 of 3 runs.
template <typename Run>
void dispatch(const ConvParams& p, ConvPass pass, Run run) {
  ConvAlgo algo = conv2d_resolved_algo(p, pass);
  if (algo != ConvAlgo::kAuto) {
    run(conv_detail::conv_algorithm(algo));
    return;
  }
  constexpr int kRounds = 3, kMaxRounds = 8;
  constexpr double kCloseMargin = 1.25;
  constexpr int kMaxAlgos = 8;
  const ConvAlgoImpl* candidates[kMaxAlgos];
  double fastest_ms[kMaxAlgos];
  int n = 0;
  for (const ConvAlgoImpl& impl : conv_detail::conv_algorithms()) {
    if (!impl.applies(p)) continue;
    NAS_CHECK(n < kMaxAlgos);
    run(impl);
    candidates[n] = &impl;
    fastest_ms[n++] = std::numeric_limits<double>::infinity();
  }
  NAS_CHECK(n > 0);
  double best_ms = std::numeric_limits<double>::infinity();
  int best = 0, last = -1;
  auto contested = [&] {
    for (int i = 0; i < n; ++i)
      if (i != best && fastest_ms[i] <= kCloseMargin * best_ms) return true;
    return false;
  };
  for (int round = 0; round < kRounds || (round < kMaxRounds && contested()); ++round) {
    for (int i = 0; i < n; ++i) {
      const double limit = round < kRounds ? 2 * best_ms : kCloseMargin * best_ms;
      if (round > 0 && fastest_ms[i] > limit) continue;
      const auto t0 = std::chrono::steady_clock::now();
      run(*candidates[i]);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      last = i;
      fastest_ms[i] = std::min(fastest_ms[i], ms);
      if (fastest_ms[i] < best_ms) {
        best_ms = fastest_ms[i];
        best = i;
      }
    }
  }
  if (last != best) run(*candidates[best]);
  conv_autotune_store(p, pass, candidates[best]->algo, best_ms);
}

}  // namespace

bool conv2d_streams_output(const ConvParams& p, ConvPass pass) {
  const Shape s = pass == ConvPass::kBackwardData ? p.input_shape() : p.output_shape();
  return s.numel() * int64_t{sizeof(float)} > conv_detail::kStreamOutputBytes;
}

void set_conv_algo_pin(ConvAlgo algo) { g_pin.store(algo, std::memory_order_relaxed); }

bool conv_algo_applies(ConvAlgo algo, const ConvParams& p) {
  if (algo == ConvAlgo::kAuto) return true;
  return conv_detail::conv_algorithm(algo).applies(p);
}

ConvAlgo conv_algo_fallback(const ConvParams& p) {
  if (conv_algo_applies(ConvAlgo::kDepthwise, p)) return ConvAlgo::kDepthwise;
  if (conv_algo_applies(ConvAlgo::kGemm1x1, p)) return ConvAlgo::kGemm1x1;
  return ConvAlgo::kDirect;
}

ConvAlgo conv2d_resolved_algo(const ConvParams& p, ConvPass pass) {
  const ConvAlgo pin = pinned(p);
  if (pin != ConvAlgo::kAuto) return pin;
  if (std::optional<ConvAlgo> cached = conv_autotune_lookup(p, pass))
    return conv_algo_applies(*cached, p) ? *cached : conv_algo_fallback(p);
  return ConvAlgo::kAuto;
}

// The observer goes to the algorithm only when it sees final rows: not when
// a bias is added afterwards, nor while the autotuner times candidates (each
// run would report every row again); the rows are then reported at the end.
void conv2d_forward(const ConvParams& p, const float* x, const float* w, const float* bias,
                    float* y, RowBlockObserver* observer) {
  const bool add = p.bias && bias != nullptr;
  RowBlockObserver* inner =
      observer == nullptr || add || conv2d_resolved_algo(p, ConvPass::kForward) == ConvAlgo::kAuto
          ? nullptr
          : observer;
  dispatch(p, ConvPass::kForward, [&](const ConvAlgoImpl& a) { a.forward(p, x, w, y, inner); });
  if (add) conv_detail::add_bias(y, p.batch * p.out_h() * p.out_w(), p.out_c, bias);
  if (observer != nullptr && inner == nullptr) observer->report_all();
}

namespace {

// dst = t(x) for every input pixel of p.
void transform_all(const ConvParams& p, const float* x, const ConvInputTransform& t, float* dst) {
  const int64_t rows = p.batch * p.in_h, row_pixels = p.in_w, row_floats = p.in_w * p.in_c;
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) t.fn(t.ctx, x + r * row_floats, row_pixels, dst + r * row_floats);
  });
}

// A 1x1 stride-1 conv computes each output pixel from its input pixel
// alone: any algorithm's forward over a block of pixels (as one image row)
// gives those pixels' bits. So the forward of t(x) runs block by block, each
// block transformed into thread scratch (~96 KB) just before `impl` reads
// it, and t(x) is never written.
void forward_1x1_transformed_blocks(const conv_detail::ConvAlgoImpl& impl, const ConvParams& p,
                                    const float* x, const ConvInputTransform& t, const float* w,
                                    float* y, RowBlockObserver* observer) {
  const int64_t rows = p.batch * p.in_h * p.in_w;
  const int64_t piece = std::max<int64_t>(16, (int64_t{96} << 10) / (int64_t{sizeof(float)} * p.in_c));
  const int64_t blocks = observer != nullptr ? observer->blocks() : (rows + piece - 1) / piece;
  auto begin = [&](int64_t b) { return observer != nullptr ? observer->block_begin(b) : rows * b / blocks; };
  auto end = [&](int64_t b) { return observer != nullptr ? observer->block_end(b) : rows * (b + 1) / blocks; };
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    ScratchScope scratch;
    float* xt = scratch.alloc_floats(piece * p.in_c);
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t r0 = begin(b); r0 < end(b); r0 += piece) {
        const int64_t r1 = std::min(end(b), r0 + piece);
        t.fn(t.ctx, x + r0 * p.in_c, r1 - r0, xt);
        ConvParams q = p;
        q.batch = 1;
        q.in_h = 1;
        q.in_w = r1 - r0;
        impl.forward(q, xt, w, y + r0 * p.out_c, nullptr);
      }
      if (observer != nullptr) observer->report(begin(b), end(b));
    }
  });
}

}  // namespace

void conv2d_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                float* xt, const float* w, const float* bias, float* y,
                                RowBlockObserver* observer) {
  const bool add = p.bias && bias != nullptr;
  const ConvAlgo algo = conv2d_resolved_algo(p, ConvPass::kForward);
  if (!add && p.depthwise() && algo == ConvAlgo::kDepthwise &&
      conv_detail::depthwise_forward_transformed(p, x, t, xt, w, y, observer))
    return;
  const bool gemm1x1 = xt == nullptr && algo == ConvAlgo::kGemm1x1;
  const bool blocks = xt == nullptr && !gemm1x1 && algo != ConvAlgo::kAuto && p.stride == 1 &&
                      !p.depthwise() && conv_algo_applies(ConvAlgo::kGemm1x1, p);
  if (gemm1x1 || blocks) {
    RowBlockObserver* inner = add ? nullptr : observer;
    if (gemm1x1)
      conv_detail::gemm1x1_forward_transformed(p, x, t, w, y, inner);
    else
      forward_1x1_transformed_blocks(conv_detail::conv_algorithm(algo), p, x, t, w, y, inner);
    if (add) conv_detail::add_bias(y, p.batch * p.out_h() * p.out_w(), p.out_c, bias);
    if (add && observer != nullptr) observer->report_all();
    return;
  }
  ScratchScope scratch;
  float* dst = xt != nullptr ? xt : scratch.alloc_floats(p.input_shape().numel());
  transform_all(p, x, t, dst);
  conv2d_forward(p, dst, w, bias, y, observer);
}

void conv2d_backward_weights_transformed(const ConvParams& p, const float* x,
                                         const ConvInputTransform& t, const float* dy, float* dw,
                                         float* db) {
  if (dw != nullptr && conv2d_resolved_algo(p, ConvPass::kBackwardWeights) != ConvAlgo::kGemm1x1) {
    ScratchScope scratch;
    float* xt = scratch.alloc_floats(p.input_shape().numel());
    transform_all(p, x, t, xt);
    conv2d_backward_weights(p, xt, dy, dw, db);
    return;
  }
  if (dw != nullptr) conv_detail::gemm1x1_backward_weights_transformed(p, x, t, dy, dw);
  if (p.bias && db != nullptr)
    conv_detail::bias_grad(dy, p.batch * p.out_h() * p.out_w(), p.out_c, db);
}

namespace {

bool both_backward_passes_resolve_to(const ConvParams& p, ConvAlgo algo) {
  return conv2d_resolved_algo(p, ConvPass::kBackwardData) == algo &&
         conv2d_resolved_algo(p, ConvPass::kBackwardWeights) == algo;
}

// The one-pass backward of a 1x1 conv (conv_gemm1x1.h) of conv(t(x)) (of x
// when t is null) when the weight gradient resolves to gemm1x1, backward-data
// to gemm1x1 or direct (the autotuner's usual pick there: direct's tiles read
// dy in place where gemm1x1's GEMM packs it) and it takes p; then db too.
bool gemm1x1_backward_one_pass(const ConvParams& p, const float* x, const ConvInputTransform* t,
                               const float* dy, const float* w, float* dx, float* dw, float* db,
                               RowBlockObserver* observer) {
  if (dx == nullptr || dw == nullptr || !conv_detail::gemm1x1_backward_fuses(p) ||
      conv2d_resolved_algo(p, ConvPass::kBackwardWeights) != ConvAlgo::kGemm1x1 ||
      !conv_detail::gemm1x1_backward_fused(p, conv2d_resolved_algo(p, ConvPass::kBackwardData), x, t,
                                           dy, w, dx, dw, observer))
    return false;
  if (p.bias && db != nullptr)
    conv_detail::bias_grad(dy, p.batch * p.out_h() * p.out_w(), p.out_c, db);
  return true;
}

}  // namespace

void conv2d_backward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                 const float* dy, const float* w, float* dx, float* dw, float* db,
                                 RowBlockObserver* observer) {
  if (gemm1x1_backward_one_pass(p, x, &t, dy, w, dx, dw, db, observer)) return;
  if (!p.depthwise()) {  // conv2d_backward's two passes; only the second reads x
    if (dx != nullptr) conv2d_backward_data(p, dy, w, dx, observer);
    conv2d_backward_weights_transformed(p, x, t, dy, dw, db);
    return;
  }
  if (dw != nullptr &&
      (dx == nullptr || conv2d_resolved_algo(p, ConvPass::kBackwardData) == ConvAlgo::kDepthwise) &&
      conv2d_resolved_algo(p, ConvPass::kBackwardWeights) == ConvAlgo::kDepthwise &&
      conv_detail::depthwise_backward_transformed(p, x, t, dy, w, dx, dw, db, observer))
    return;
  ScratchScope scratch;
  float* xt = scratch.alloc_floats(p.input_shape().numel());
  transform_all(p, x, t, xt);
  conv2d_backward(p, xt, dy, w, dx, dw, db, observer);
}

bool conv2d_transforms_input_in_place(const ConvParams& p) {
  if (p.depthwise()) return conv_detail::depthwise_backward_transforms(p);
  return p.stride == 1 && conv_algo_applies(ConvAlgo::kGemm1x1, p);
}

void conv2d_backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                          RowBlockObserver* observer) {
  RowBlockObserver* inner =
      observer == nullptr || conv2d_resolved_algo(p, ConvPass::kBackwardData) == ConvAlgo::kAuto
          ? nullptr
          : observer;
  dispatch(p, ConvPass::kBackwardData,
           [&](const ConvAlgoImpl& a) { a.backward_data(p, dy, w, dx, inner); });
  if (observer != nullptr && inner == nullptr) observer->report_all();
}

void conv2d_backward(const ConvParams& p, const float* x, const float* dy, const float* w, float* dx,
                     float* dw, float* db, RowBlockObserver* observer) {
  if (gemm1x1_backward_one_pass(p, x, nullptr, dy, w, dx, dw, db, observer)) return;
  if (dx != nullptr && dw != nullptr && p.depthwise() &&
      both_backward_passes_resolve_to(p, ConvAlgo::kDepthwise)) {
    conv_detail::DxRowsDone done;
    if (observer != nullptr) done = [observer](int64_t b, int64_t e) { observer->report(b, e); };
    if (conv_detail::depthwise_backward_fused(p, x, dy, w, dx, dw, done)) {
      if (p.bias && db != nullptr) conv_detail::bias_grad(dy, p.batch * p.out_h() * p.out_w(), p.out_c, db);
      return;
    }
  }
  if (dx != nullptr) conv2d_backward_data(p, dy, w, dx, observer);
  conv2d_backward_weights(p, x, dy, dw, db);
}

void conv2d_backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw,
                             float* db) {
  if (dw != nullptr)
    dispatch(p, ConvPass::kBackwardWeights,
             [&](const ConvAlgoImpl& a) { a.backward_weights(p, x, dy, dw); });
  if (p.bias && db != nullptr)
    conv_detail::bias_grad(dy, p.batch * p.out_h() * p.out_w(), p.out_c, db);
}

}  // namespace nas::ops
