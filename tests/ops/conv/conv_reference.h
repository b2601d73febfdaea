// Naive double-precision convolution (NHWC, OHWI), the oracle of the conv
// tests. Each output also gets the sum of |terms| that formed it, the scale
// its float rounding error is measured against.
#pragma once

#include <vector>

#include "ops/conv/conv_params.h"

namespace nas::ops::testing {

struct RefResult {
  std::vector<double> value;
  std::vector<double> abs_sum;
};

RefResult ref_conv_forward(const ConvParams& p, const std::vector<float>& x,
                           const std::vector<float>& w, const std::vector<float>& bias);
RefResult ref_conv_backward_data(const ConvParams& p, const std::vector<float>& dy,
                                 const std::vector<float>& w);
RefResult ref_conv_backward_weights(const ConvParams& p, const std::vector<float>& x,
                                    const std::vector<float>& dy);
// Double forward on double data (for finite differences).
std::vector<double> ref_conv_forward_f64(const ConvParams& p, const std::vector<double>& x,
                                         const std::vector<double>& w);

std::vector<float> random_floats(size_t n, unsigned seed);

}  // namespace nas::ops::testing
