#include "ops/layers/squeeze_excitation.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ops/core/parallel.h"
#include "ops/gemm/sgemm.h"
#include "ops/layers/global_avg_pool.h"
#include "ops/layers/layer_util.h"

namespace nas::ops {
namespace {

// y[n][out] = x[n][in] w[out][in]^T + b[out].
void dense_forward(const float* x, const float* w, const float* b, int64_t n, int64_t in,
                   int64_t out, float* y) {
  for (int64_t i = 0; i < n; ++i) std::copy(b, b + out, y + i * out);
  GemmArgs g;
  g.trans_b = Trans::kYes;
  g.m = n;
  g.n = out;
  g.k = in;
  g.a = x;
  g.lda = in;
  g.b = w;
  g.ldb = in;
  g.beta = 1.0f;
  g.c = y;
  g.ldc = out;
  sgemm(g);
}

// From dy [n][out]: dw = dy^T x, db = column sums (fixed order), dx = dy w.
// Null outputs are skipped.
void dense_backward(const float* x, const float* w, const float* dy, int64_t n, int64_t in,
                    int64_t out, float* dx, float* dw, float* db) {
  if (dw != nullptr) {
    GemmArgs g;
    g.trans_a = Trans::kYes;
    g.m = out;
    g.n = in;
    g.k = n;
    g.a = dy;
    g.lda = out;
    g.b = x;
    g.ldb = in;
    g.c = dw;
    g.ldc = in;
    sgemm(g);
  }
  if (db != nullptr) {
    std::fill(db, db + out, 0.0f);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t o = 0; o < out; ++o) db[o] += dy[i * out + o];
  }
  if (dx != nullptr) {
    GemmArgs g;
    g.m = n;
    g.n = in;
    g.k = out;
    g.a = dy;
    g.lda = out;
    g.b = w;
    g.ldb = in;
    g.c = dx;
    g.ldc = in;
    sgemm(g);
  }
}

class SqueezeExcitation final : public Op {
 public:
  SqueezeExcitation(ActivationKind gate, const Shape& in, int64_t reduced) : gate_(gate) {
    n_ = in[0];
    hw_ = in[1] * in[2];
    c_ = in[3];
    cr_ = reduced;
    input_shapes_ = {in};
    output_shapes_ = {in};
    param_specs_ = {
        ParamSpec{"reduce_weight", Shape{cr_, c_}, Init::kKaimingUniform, c_, cr_},
        ParamSpec{"reduce_bias", Shape{cr_}, Init::kZeros, c_, cr_},
        ParamSpec{"expand_weight", Shape{c_, cr_}, Init::kKaimingUniform, cr_, c_},
        ParamSpec{"expand_bias", Shape{c_}, Init::kZeros, cr_, c_},
    };
    pooled_.assign(n_ * c_, 0.0f);
    z1_.assign(n_ * cr_, 0.0f);
    a1_.assign(n_ * cr_, 0.0f);
    z2_.assign(n_ * c_, 0.0f);
    gate_out_.assign(n_ * c_, 0.0f);
    d_nc_.assign(n_ * c_, 0.0f);
    d_ncr_.assign(n_ * cr_, 0.0f);
  }
  const char* name() const override {
    return gate_ == ActivationKind::kSigmoid ? "squeeze_excitation" : "squeeze_excitation_hsigmoid";
  }

  OpCost cost() const override {
    OpCost c = layers::io_cost(input_shapes_, output_shapes_, param_specs_);
    c.macs = 2 * n_ * c_ * cr_;
    c.flops_other =
        2 * n_ * hw_ * c_ + n_ * c_ + 2 * n_ * cr_ + n_ * c_ + n_ * c_ * activation_flops(gate_);
    return c;
  }

  void forward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor> params,
               std::span<Tensor> outputs) override {
    const float* x = inputs[0].data();
    global_avg_pool_forward(x, n_, hw_, c_, pooled_.data());
    dense_forward(pooled_.data(), params[0].data(), params[1].data(), n_, c_, cr_, z1_.data());
    activation_forward(ActivationKind::kRelu, z1_.data(), a1_.data(), n_ * cr_);
    dense_forward(a1_.data(), params[2].data(), params[3].data(), n_, cr_, c_, z2_.data());
    activation_forward(gate_, z2_.data(), gate_out_.data(), n_ * c_);
    float* y = outputs[0].data();
    const float* g = gate_out_.data();
    const int64_t c = c_, hw = hw_;
    parallel_for(n_ * hw_, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* gr = g + (r / hw) * c;
        const float* xr = x + r * c;
        float* yr = y + r * c;
        for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] * gr[j];
      }
    });
  }

  void backward(const OpContext&, std::span<const Tensor> inputs, std::span<const Tensor> params,
                std::span<const Tensor>, std::span<const Tensor> output_grads,
                std::span<Tensor> input_grads, std::span<Tensor> param_grads) override {
    const float* x = inputs[0].data();
    const float* dy = output_grads[0].data();
    const int64_t c = c_, hw = hw_;
    bool want_params = false;
    for (const Tensor& t : param_grads) want_params = want_params || t.defined();
    const bool want_dx = input_grads[0].defined();
    if (!want_params && !want_dx) return;
    auto grad_ptr = [&](int i) {
      return param_grads[i].defined() ? param_grads[i].data() : nullptr;
    };

    // d gate[n][c] = sum over the image of dy * x: one task per image, rows
    // summed in order (deterministic).
    float* dgate = d_nc_.data();
    parallel_for(n_, 1, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        float* dg = dgate + n * c;
        std::fill(dg, dg + c, 0.0f);
        for (int64_t p = 0; p < hw; ++p) {
          const float* xr = x + (n * hw + p) * c;
          const float* gr = dy + (n * hw + p) * c;
          for (int64_t j = 0; j < c; ++j) dg[j] += gr[j] * xr[j];
        }
      }
    });
    float* dz2 = dgate;  // in place
    activation_backward(gate_, z2_.data(), dgate, dz2, n_ * c_);
    float* da1 = d_ncr_.data();
    dense_backward(a1_.data(), params[2].data(), dz2, n_, cr_, c_, da1, grad_ptr(2), grad_ptr(3));
    float* dz1 = da1;
    activation_backward(ActivationKind::kRelu, z1_.data(), da1, dz1, n_ * cr_);
    float* ds = d_nc_.data();  // dz2 is no longer needed
    dense_backward(pooled_.data(), params[0].data(), dz1, n_, c_, cr_, want_dx ? ds : nullptr,
                   grad_ptr(0), grad_ptr(1));
    if (!want_dx) return;
    // dx = dy * g + ds / (H*W).
    float* dx = input_grads[0].data();
    const float* g = gate_out_.data();
    const float inv = 1.0f / static_cast<float>(hw);
    parallel_for(n_ * hw_, layers::row_grain(c), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* gr = g + (r / hw) * c;
        const float* sr = ds + (r / hw) * c;
        const float* dr = dy + r * c;
        float* out = dx + r * c;
        for (int64_t j = 0; j < c; ++j) out[j] = dr[j] * gr[j] + sr[j] * inv;
      }
    });
  }

 private:
  ActivationKind gate_;
  int64_t n_ = 0, hw_ = 0, c_ = 0, cr_ = 0;
  // State sized once: forward intermediates backward needs, and two gradient
  // buffers ([N,C] and [N,Cr]).
  std::vector<float> pooled_, z1_, a1_, z2_, gate_out_, d_nc_, d_ncr_;
};

}  // namespace

Result<std::unique_ptr<Op>> create_squeeze_excitation(ActivationKind gate, const OpAttrs& attrs,
                                                      std::span<const Shape> inputs) {
  NAS_CHECK(gate == ActivationKind::kSigmoid || gate == ActivationKind::kHsigmoid);
  const char* name =
      gate == ActivationKind::kSigmoid ? "squeeze_excitation" : "squeeze_excitation_hsigmoid";
  if (inputs.size() != 1 || inputs[0].rank() != 4 || inputs[0].numel() == 0)
    return layers::creation_error(name, inputs, "expected one non-empty NHWC input of rank 4");
  if (attrs.se_reduction < 1)
    return layers::creation_error(
        name, inputs, "se_reduction must be >= 1 (got " + std::to_string(attrs.se_reduction) + ")");
  const int64_t c = inputs[0][3];
  const int64_t reduced = std::max<int64_t>(1, c / attrs.se_reduction);
  return std::unique_ptr<Op>(std::make_unique<SqueezeExcitation>(gate, inputs[0], reduced));
}

}  // namespace nas::ops
