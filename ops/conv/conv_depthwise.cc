// Depthwise convolution (groups == in_c == out_c): one filter per channel, so
// NHWC lets the kernels vectorise over channels with no reduction across
// them. Weights [c][kh][kw][1] are repacked tap-major ([kh][kw][c]) per call.
// Forward and backward-data split the (image, output row) pairs into one run
// per thread; the weight gradient sums partials over runs whose number and
// bounds depend on the shape only, added in a fixed order. Batches beyond the
// caches set DwArgs::from_memory and stream large outputs, batches held by
// L3 only set DwArgs::prefetch (see the kernels).
#include <algorithm>
#include <cstring>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/conv/conv_depthwise.h"
#include "ops/conv/conv_scratch.h"
#include "ops/core/parallel.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {
namespace {

using kernels::DwArgs;

bool applies(const ConvParams& p) { return p.depthwise(); }

// Weight-gradient partials (enough runs for 2-8 threads to share evenly).
constexpr int64_t kDwWeightUnits = 32;

// wt[tap][c] = w[c][tap] (rotated: wt[tap][c] = w[c][taps-1-tap]). Read in
// order, written to `taps` streams: 2x faster than the other loop order,
// which matters at batch 1 (6% of a 14x14x128 forward).
void pack_taps(const ConvParams& p, const float* w, bool rotate, float* wt) {
  const int64_t taps = p.taps(), c = p.in_c;
  for (int64_t ch = 0; ch < c; ++ch) {
    const float* src = w + ch * taps;
    for (int64_t t = 0; t < taps; ++t) wt[t * c + ch] = src[rotate ? taps - 1 - t : t];
  }
}

DwArgs base_args(const ConvParams& p, const float* wt) {
  DwArgs a;
  a.h = p.in_h; a.w = p.in_w; a.c = p.in_c;
  a.kh = p.kernel_h; a.kw = p.kernel_w;
  a.stride = p.stride; a.pad = p.pad; a.dilation = p.dilation;
  a.wt = wt;
  a.oh = p.out_h(); a.ow = p.out_w();
  return a;
}

// Stride-1 backward-data as the forward conv of dy with the rotated kernel
// `wt` and padding d*(k-1) - pad. REQUIRES: stride 1, kh == kw (symmetric
// padding), pad <= d*(k-1).
DwArgs rotated_args(const ConvParams& p, const float* wt) {
  DwArgs a = base_args(p, wt);
  a.h = p.out_h(); a.w = p.out_w();
  a.pad = static_cast<int>(int64_t{p.dilation} * (p.kernel_h - 1) - p.pad);
  a.oh = p.in_h; a.ow = p.in_w;
  return a;
}

int64_t activation_bytes(const ConvParams& p) {
  return p.batch * (p.in_h * p.in_w + p.out_h() * p.out_w()) * p.in_c * int64_t{sizeof(float)};
}

// Activations far beyond the last-level cache: every pass streams them from
// memory (the kernels then prefer sequential reads, see DwArgs::from_memory).
bool from_memory(const ConvParams& p) { return activation_bytes(p) > (int64_t{16} << 20); }

// Beyond the L2 caches of the 2 cores but held by L3 (see DwArgs::prefetch).
bool l3_resident(const ConvParams& p) { return !from_memory(p) && activation_bytes(p) > (int64_t{2} << 20); }

// Runs fn(image, row_begin, row_end) over rows [0, rows) of every image, in
// one contiguous run per thread: equal shares (5 chunks of 3 rows on 2
// threads left one thread 9 rows of 14), and each run pays the ring's
// start-up rows once. No reduction crosses runs, so any split gives the
// same bits.
template <typename Fn>
void over_rows(int64_t batch, int64_t rows, Fn fn) {
  const int64_t total = batch * rows, threads = num_threads();
  parallel_for(total, std::max<int64_t>(1, (total + threads - 1) / threads), [&](int64_t b, int64_t e) {
    while (b < e) {
      const int64_t n = b / rows, r0 = b % rows, r1 = std::min(rows, r0 + (e - b));
      fn(n, r0, r1);
      b += r1 - r0;
    }
  });
}

// `t`, when set: x is untransformed, xt receives t(x) (see
// depthwise_forward_transformed; the caller checked dw_can_transform_input).
void forward_impl(const ConvParams& p, const float* x, const float* w, float* y,
                  RowBlockObserver* observer, const ConvInputTransform* t, float* xt) {
  ScratchScope scratch;
  float* wt = scratch.alloc_floats(p.taps() * p.in_c);
  pack_taps(p, w, false, wt);
  DwArgs base = base_args(p, wt);
  if (t != nullptr) {
    base.xform = t->fn;
    base.xform_ctx = t->ctx;
  }
  const int64_t x_img = p.in_h * p.in_w * p.in_c, y_img = p.out_h() * p.out_w() * p.in_c;
  const auto& K = kernels::conv_kernels();
  // Outputs far beyond the last-level cache go straight to memory.
  const bool stream = observer == nullptr && p.batch * y_img * int64_t{sizeof(float)} > (int64_t{16} << 20);
  const bool large = from_memory(p), prefetch = l3_resident(p);
  over_rows(p.batch, p.out_h(), [&](int64_t n, int64_t r0, int64_t r1) {
    DwArgs a = base;
    a.stream = stream;
    a.from_memory = large;
    a.prefetch = prefetch;
    a.x = x + n * x_img;
    a.y = y + n * y_img;
    if (xt != nullptr) a.xt = xt + n * x_img;
    a.row_begin = r0;
    a.row_end = r1;
    K.dw_forward(a);
    if (observer != nullptr) observer->report((n * p.out_h() + r0) * p.out_w(), (n * p.out_h() + r1) * p.out_w());
  });
}

void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  forward_impl(p, x, w, y, observer, nullptr, nullptr);
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  const int64_t eh = int64_t{p.dilation} * (p.kernel_h - 1);
  const int64_t x_img = p.in_h * p.in_w * p.in_c, y_img = p.out_h() * p.out_w() * p.in_c;
  const auto& K = kernels::conv_kernels();
  ScratchScope scratch;
  float* wt = scratch.alloc_floats(p.taps() * p.in_c);
  // dx far beyond the caches goes straight to memory.
  const bool stream_dx = observer == nullptr && p.batch * x_img * int64_t{sizeof(float)} > (int64_t{16} << 20);
  // Stride 1 with "at most full" padding: dx is the forward conv of dy with
  // the rotated kernel and padding d*(k-1) - pad (kh == kw keeps it symmetric).
  if (p.stride == 1 && p.kernel_h == p.kernel_w && p.pad <= eh) {
    pack_taps(p, w, true, wt);
    DwArgs base = rotated_args(p, wt);
    base.stream = stream_dx;
    base.from_memory = from_memory(p);
    base.prefetch = l3_resident(p);
    over_rows(p.batch, p.in_h, [&](int64_t n, int64_t r0, int64_t r1) {
      DwArgs a = base;
      a.x = dy + n * y_img;
      a.y = dx + n * x_img;
      a.row_begin = r0;
      a.row_end = r1;
      K.dw_forward(a);
      if (observer != nullptr) observer->report((n * p.in_h + r0) * p.in_w, (n * p.in_h + r1) * p.in_w);
    });
    return;
  }
  pack_taps(p, w, false, wt);
  DwArgs base = base_args(p, wt);
  base.stream = stream_dx;
  over_rows(p.batch, p.in_h, [&](int64_t n, int64_t r0, int64_t r1) {
    DwArgs a = base;
    a.dy = dy + n * y_img;
    a.y = dx + n * x_img;
    a.row_begin = r0;
    a.row_end = r1;
    K.dw_backward_data(a);
    if (observer != nullptr) observer->report((n * p.in_h + r0) * p.in_w, (n * p.in_h + r1) * p.in_w);
  });
}

// The weight gradient's fixed partials: the (image, dy row) pairs are cut
// into `units` contiguous runs, a number that depends on the shape only (not
// on the thread count), each summed into its own partial in a fixed order,
// and the partials are added in unit order: the bits are the same on any
// number of threads. before(n, r0, r1) runs ahead of the kernel on each
// piece of a run, dy rows [r0, r1) of image n, at most max_rows rows (the
// kernel sums row after row, so where a run is cut changes no bits).
// `t`, when set: x is untransformed and the kernel transforms each x row as
// its ring copies it (the caller checked dw_weights_can_transform_input).
template <typename Before>
void weight_gradient(const ConvParams& p, const float* x, const float* dy, float* dw, int64_t max_rows,
                     const ConvInputTransform* t, Before before) {
  const int64_t taps = p.taps(), c = p.in_c, oh = p.out_h();
  const int64_t x_img = p.in_h * p.in_w * c, y_img = oh * p.out_w() * c;
  const int64_t rows = p.batch * oh;
  // A partial costs taps*c floats to clear and to add: keep that a small
  // share of the work (rows*ow*c*taps MACs) on small images; and give each
  // run at least 2*kernel_h rows (the kernels' row ring pays off from there).
  const int64_t units = std::clamp<int64_t>(std::min(rows * p.out_w() / (2 * taps), rows / (2 * p.kernel_h)), 1,
                                            std::min(rows, kDwWeightUnits));
  const auto& K = kernels::conv_kernels();
  ScratchScope scratch;
  float* partial = alloc_zeros(scratch, units * taps * c);
  DwArgs base = base_args(p, nullptr);
  base.from_memory = from_memory(p);
  base.prefetch = l3_resident(p);
  if (t != nullptr) {
    base.xform = t->fn;
    base.xform_ctx = t->ctx;
  }
  parallel_for(units, 1, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      DwArgs a = base;
      a.dwt = partial + u * taps * c;
      for (int64_t r = rows * u / units, r1 = rows * (u + 1) / units; r < r1;) {
        const int64_t n = r / oh;
        a.x = x + n * x_img;
        a.dy = dy + n * y_img;
        a.row_begin = r % oh;
        a.row_end = std::min({oh, a.row_begin + (r1 - r), a.row_begin + max_rows});
        before(n, a.row_begin, a.row_end);
        K.dw_backward_weights(a);
        r += a.row_end - a.row_begin;
      }
    }
  });
  // Partials added in unit order while transposing back to [c][tap].
  const int64_t n = taps * c;
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t t = 0; t < taps; ++t) {
      float s = partial[t * c + ch];
      for (int64_t u = 1; u < units; ++u) s += partial[u * n + t * c + ch];
      dw[ch * taps + t] = s;
    }
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  weight_gradient(p, x, dy, dw, p.out_h(), nullptr, [](int64_t, int64_t, int64_t) {});
}

// depthwise_backward_fused; `t` as in weight_gradient.
bool fused_backward(const ConvParams& p, const float* x, const ConvInputTransform* t, const float* dy,
                    const float* w, float* dx, float* dw, const DxRowsDone& on_dx_rows) {
  // Stride 1 with "same" padding: dx rows [r0, r1) are the forward conv of
  // dy rows around [r0, r1) with the rotated kernel (see backward_data), so
  // the weight gradient's runs of dy rows cover every dx row once. Only
  // batches beyond the caches gain (dy comes from memory once, not twice).
  const int64_t eh = int64_t{p.dilation} * (p.kernel_h - 1);
  if (!p.depthwise() || p.stride != 1 || p.kernel_h != p.kernel_w || p.pad > eh || p.out_h() != p.in_h ||
      p.out_w() != p.in_w || !from_memory(p))
    return false;
  const int64_t x_img = p.in_h * p.in_w * p.in_c;
  const auto& K = kernels::conv_kernels();
  ScratchScope scratch;
  float* wt = scratch.alloc_floats(p.taps() * p.in_c);
  pack_taps(p, w, true, wt);
  DwArgs base = rotated_args(p, wt);  // as backward_data's stride-1 pass
  base.stream = !on_dx_rows && p.batch * x_img * int64_t{sizeof(float)} > (int64_t{16} << 20);
  base.from_memory = true;
  // Pieces of dy of at most ~256 KB (at least 2*kernel_h rows, where the
  // kernels' row rings pay off): still in L2 when the weight pass reads them.
  const int64_t row_bytes = p.out_w() * p.in_c * int64_t{sizeof(float)};
  const int64_t max_rows = std::max<int64_t>(2 * p.kernel_h, (int64_t{256} << 10) / row_bytes);
  weight_gradient(p, x, dy, dw, max_rows, t, [&](int64_t n, int64_t r0, int64_t r1) {
    DwArgs a = base;
    a.x = dy + n * x_img;
    a.y = dx + n * x_img;
    a.row_begin = r0;
    a.row_end = r1;
    K.dw_forward(a);
    if (on_dx_rows) on_dx_rows((n * p.in_h + r0) * p.in_w, (n * p.in_h + r1) * p.in_w);
  });
  return true;
}

}  // namespace

ConvAlgoImpl depthwise_algo() {
  return {ConvAlgo::kDepthwise, &applies, &forward, &backward_data, &backward_weights};
}

bool depthwise_forward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                   float* xt, const float* w, float* y, RowBlockObserver* observer) {
  if (!p.depthwise()) return false;
  DwArgs probe = base_args(p, nullptr);
  probe.from_memory = from_memory(p);
  if (!kernels::dw_can_transform_input(probe)) return false;
  forward_impl(p, x, w, y, observer, &t, xt);
  return true;
}

bool depthwise_backward_transforms(const ConvParams& p) {
  if (!p.depthwise()) return false;
  DwArgs probe = base_args(p, nullptr);
  probe.from_memory = from_memory(p);
  return kernels::dw_weights_can_transform_input(probe);
}

bool depthwise_backward_transformed(const ConvParams& p, const float* x, const ConvInputTransform& t,
                                    const float* dy, const float* w, float* dx, float* dw, float* db,
                                    RowBlockObserver* observer) {
  if (!depthwise_backward_transforms(p)) return false;
  // dx reads only dy and w: the one-pass backward where it applies, else
  // backward-data then the weight gradient, as conv2d_backward runs them.
  DxRowsDone done;
  if (observer != nullptr) done = [observer](int64_t b, int64_t e) { observer->report(b, e); };
  if (dx == nullptr || !fused_backward(p, x, &t, dy, w, dx, dw, done)) {
    if (dx != nullptr) backward_data(p, dy, w, dx, observer);
    weight_gradient(p, x, dy, dw, p.out_h(), &t, [](int64_t, int64_t, int64_t) {});
  }
  if (p.bias && db != nullptr) bias_grad(dy, p.batch * p.out_h() * p.out_w(), p.out_c, db);
  return true;
}

bool depthwise_backward_fused(const ConvParams& p, const float* x, const float* dy, const float* w, float* dx,
                              float* dw, const DxRowsDone& on_dx_rows) {
  return fused_backward(p, x, nullptr, dy, w, dx, dw, on_dx_rows);
}

}  // namespace nas::ops::conv_detail
