// Geometry of a 2-D convolution over NHWC activations, its algorithms and
// passes. Weights are OHWI: [out_c][kernel_h][kernel_w][in_c / groups], so a
// group's weights are a dense [out_c/groups][kernel_h*kernel_w*in_c/groups]
// matrix (im2col and 1x1 convs are plain GEMMs on it) and bias is [out_c].
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ops/core/shape.h"
#include "ops/core/status.h"

namespace nas::ops {

// kAuto: the autotuner picks (ops/conv/conv_autotune.h). Every other value
// pins an algorithm; a pinned algorithm that does not apply to the shape
// falls back to one that does (conv_algo_fallback).
enum class ConvAlgo { kAuto, kDirect, kIm2col, kGemm1x1, kWinograd, kDepthwise, kWinogradS2 };
inline constexpr ConvAlgo kAllConvAlgos[] = {ConvAlgo::kDirect, ConvAlgo::kIm2col,
                                             ConvAlgo::kGemm1x1, ConvAlgo::kWinograd,
                                             ConvAlgo::kDepthwise, ConvAlgo::kWinogradS2};

enum class ConvPass { kForward, kBackwardData, kBackwardWeights };

// "auto", "direct", "im2col", "gemm1x1", "winograd", "depthwise", "winograd_s2".
const char* conv_algo_name(ConvAlgo algo);
std::optional<ConvAlgo> parse_conv_algo(std::string_view name);
const char* conv_pass_name(ConvPass pass);  // "fwd", "bwd_data", "bwd_weights"
std::optional<ConvPass> parse_conv_pass(std::string_view name);

struct ConvParams {
  int64_t batch = 1, in_h = 1, in_w = 1, in_c = 1;  // input [batch][in_h][in_w][in_c]
  int64_t out_c = 1;
  int kernel_h = 1, kernel_w = 1;
  int stride = 1;
  int pad = 0;  // zeros on every side
  int dilation = 1;
  int groups = 1;  // in_c and out_c divisible by it; groups == in_c == out_c is depthwise
  bool bias = false;
  ConvAlgo algo = ConvAlgo::kAuto;  // per-call override of NAS_CONV_ALGO and the autotuner

  int64_t out_h() const { return (in_h + 2 * pad - int64_t{dilation} * (kernel_h - 1) - 1) / stride + 1; }
  int64_t out_w() const { return (in_w + 2 * pad - int64_t{dilation} * (kernel_w - 1) - 1) / stride + 1; }
  int64_t in_per_group() const { return in_c / groups; }
  int64_t out_per_group() const { return out_c / groups; }
  int taps() const { return kernel_h * kernel_w; }
  bool depthwise() const { return groups == in_c && out_c == in_c; }
  Shape input_shape() const { return {batch, in_h, in_w, in_c}; }
  Shape output_shape() const { return {batch, out_h(), out_w(), out_c}; }
  Shape weight_shape() const { return {out_c, kernel_h, kernel_w, in_per_group()}; }
  int64_t weight_numel() const { return out_c * taps() * in_per_group(); }
};

// Ok, or "failed to create conv2d with input [..]: CONSTRAINT".
Status validate_conv_params(const ConvParams& p);

}  // namespace nas::ops
