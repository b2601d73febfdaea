#include "ops/conv/conv_params.h"

#include <string>

namespace nas::ops {

const char* conv_algo_name(ConvAlgo algo) {
  switch (algo) {
    case ConvAlgo::kAuto: return "auto";
    case ConvAlgo::kDirect: return "direct";
    case ConvAlgo::kIm2col: return "im2col";
    case ConvAlgo::kGemm1x1: return "gemm1x1";
    case ConvAlgo::kWinograd: return "winograd";
    case ConvAlgo::kDepthwise: return "depthwise";
    case ConvAlgo::kWinogradS2: return "winograd_s2";
  }
  return "?";
}

std::optional<ConvAlgo> parse_conv_algo(std::string_view name) {
  for (ConvAlgo a : {ConvAlgo::kAuto, ConvAlgo::kDirect, ConvAlgo::kIm2col, ConvAlgo::kGemm1x1,
                     ConvAlgo::kWinograd, ConvAlgo::kDepthwise, ConvAlgo::kWinogradS2})
    if (name == conv_algo_name(a)) return a;
  return std::nullopt;
}

const char* conv_pass_name(ConvPass pass) {
  switch (pass) {
    case ConvPass::kForward: return "fwd";
    case ConvPass::kBackwardData: return "bwd_data";
    case ConvPass::kBackwardWeights: return "bwd_weights";
  }
  return "?";
}

std::optional<ConvPass> parse_conv_pass(std::string_view name) {
  for (ConvPass p : {ConvPass::kForward, ConvPass::kBackwardData, ConvPass::kBackwardWeights})
    if (name == conv_pass_name(p)) return p;
  return std::nullopt;
}

Status validate_conv_params(const ConvParams& p) {
  auto fail = [&](const std::string& why) {
    return Status::error("failed to create conv2d with input " + p.input_shape().str() + ": " + why);
  };
  if (p.batch < 1 || p.in_h < 1 || p.in_w < 1 || p.in_c < 1)
    return fail("every input dimension must be >= 1");
  if (p.out_c < 1) return fail("out_channels must be >= 1, got " + std::to_string(p.out_c));
  if (p.kernel_h < 1 || p.kernel_w < 1) return fail("kernel must be >= 1");
  if (p.stride < 1) return fail("stride must be >= 1, got " + std::to_string(p.stride));
  if (p.dilation < 1) return fail("dilation must be >= 1, got " + std::to_string(p.dilation));
  if (p.pad < 0) return fail("padding must be >= 0, got " + std::to_string(p.pad));
  if (p.groups < 1) return fail("groups must be >= 1, got " + std::to_string(p.groups));
  if (p.in_c % p.groups || p.out_c % p.groups)
    return fail("in_channels " + std::to_string(p.in_c) + " and out_channels " +
                std::to_string(p.out_c) + " must be divisible by groups " + std::to_string(p.groups));
  if (p.out_h() < 1 || p.out_w() < 1 ||
      p.in_h + 2 * p.pad < int64_t{p.dilation} * (p.kernel_h - 1) + 1 ||
      p.in_w + 2 * p.pad < int64_t{p.dilation} * (p.kernel_w - 1) + 1)
    return fail("the dilated kernel " + std::to_string(p.kernel_h) + "x" +
                std::to_string(p.kernel_w) + " (dilation " + std::to_string(p.dilation) +
                ") does not fit the padded input");
  return Status::ok();
}

}  // namespace nas::ops
