#include "tests/ops/conv/conv_reference.h"

#include <cmath>
#include <random>

namespace nas::ops::testing {
namespace {

// Calls f(n, oy, ox, co, ky, kx, ci_global, ci_in_group, x_index, w_index, y_index)
// for every term of the convolution sum.
template <typename F>
void for_each_term(const ConvParams& p, F f) {
  const int64_t oh = p.out_h(), ow = p.out_w(), in_g = p.in_per_group(), out_g = p.out_per_group();
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t co = 0; co < p.out_c; ++co) {
          const int64_t g = co / out_g;
          for (int ky = 0; ky < p.kernel_h; ++ky) {
            const int64_t iy = oy * p.stride - p.pad + int64_t{ky} * p.dilation;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int kx = 0; kx < p.kernel_w; ++kx) {
              const int64_t ix = ox * p.stride - p.pad + int64_t{kx} * p.dilation;
              if (ix < 0 || ix >= p.in_w) continue;
              for (int64_t ci = 0; ci < in_g; ++ci) {
                const int64_t xi = ((n * p.in_h + iy) * p.in_w + ix) * p.in_c + g * in_g + ci;
                const int64_t wi = ((co * p.kernel_h + ky) * p.kernel_w + kx) * in_g + ci;
                const int64_t yi = ((n * oh + oy) * ow + ox) * p.out_c + co;
                f(xi, wi, yi);
              }
            }
          }
        }
}

}  // namespace

RefResult ref_conv_forward(const ConvParams& p, const std::vector<float>& x,
                           const std::vector<float>& w, const std::vector<float>& bias) {
  RefResult r;
  const size_t ny = p.output_shape().numel();
  r.value.assign(ny, 0.0);
  r.abs_sum.assign(ny, 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    const double t = double{x[xi]} * w[wi];
    r.value[yi] += t;
    r.abs_sum[yi] += std::fabs(t);
  });
  if (p.bias)
    for (size_t i = 0; i < ny; ++i) {
      r.value[i] += bias[i % p.out_c];
      r.abs_sum[i] += std::fabs(bias[i % p.out_c]);
    }
  return r;
}

RefResult ref_conv_backward_data(const ConvParams& p, const std::vector<float>& dy,
                                 const std::vector<float>& w) {
  RefResult r;
  const size_t nx = p.input_shape().numel();
  r.value.assign(nx, 0.0);
  r.abs_sum.assign(nx, 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    const double t = double{dy[yi]} * w[wi];
    r.value[xi] += t;
    r.abs_sum[xi] += std::fabs(t);
  });
  return r;
}

RefResult ref_conv_backward_weights(const ConvParams& p, const std::vector<float>& x,
                                    const std::vector<float>& dy) {
  RefResult r;
  const size_t nw = p.weight_numel();
  r.value.assign(nw, 0.0);
  r.abs_sum.assign(nw, 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    const double t = double{dy[yi]} * x[xi];
    r.value[wi] += t;
    r.abs_sum[wi] += std::fabs(t);
  });
  return r;
}

std::vector<double> ref_conv_forward_f64(const ConvParams& p, const std::vector<double>& x,
                                         const std::vector<double>& w) {
  std::vector<double> y(p.output_shape().numel(), 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) { y[yi] += x[xi] * w[wi]; });
  return y;
}

std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

}  // namespace nas::ops::testing
