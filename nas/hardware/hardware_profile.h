// HardwareProfile: the typed form of one device YAML (docs/hardware_profiles.md).
// Plain data produced by load_hardware_profile(); the cost model reads it.
// Zero / empty means "not given" where a field says so.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nas::hardware {

enum class DeviceKind { kCpu, kGpu, kNpu, kMcu };

// The op classes a profile gives efficiencies for; every registry op maps to
// one (op_class.h).
enum class OpClass {
  kConv,         // dense convolution (k > 1)
  kDepthwise,    // depthwise / grouped convolution
  kPointwise,    // 1x1 convolution
  kLinear,       // fully connected, attention projections
  kAttention,    // attention score / softmax / weighted sum
  kRecurrent,    // LSTM / GRU / RNN
  kPool,         // pooling, global pooling
  kNorm,         // batch / layer norm
  kElementwise,  // activations, add, mul, concat, split, shuffle, reshape, dropout
  kOther,
};
inline constexpr int kNumOpClasses = 10;

struct HardwareProfile {
  std::filesystem::path source;  // the YAML file; empty for a measured host profile
  std::string name;              // unique id used in experiments ("raspberry_pi4")
  std::string description;
  DeviceKind kind = DeviceKind::kCpu;
  int cores = 1;                 // >= 1
  double fp32_gflops = 0;        // > 0: peak FP32 throughput
  double fp16_gflops = 0;        // 0: not given
  double int8_gops = 0;          // 0: not given
  double bandwidth_gbs = 0;      // > 0: DRAM bandwidth
  int64_t memory_bytes = 0;      // DRAM capacity; 0: not a limit
  int64_t sram_bytes = 0;        // on-chip SRAM (MCU: activations must fit); 0: not a limit
  int64_t flash_bytes = 0;       // MCU flash (weights must fit); 0: not a limit
  int64_t l1_bytes = 0, l2_bytes = 0, l3_bytes = 0;  // 0: not given
  // Share of the peak each op class reaches, in (0, 1]; 1 where not given.
  double efficiency[kNumOpClasses] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  double per_layer_us = 0;       // fixed cost of launching one layer (kernel)
  double pj_per_flop = 0;        // energy; 0: energy is not modelled
  double pj_per_dram_byte = 0;
  double static_w = 0;           // static power while the network runs
  // Chains of op classes / op names fused into one kernel (conv2d, batch_norm,
  // activation): only the chain's first op pays per-layer overhead and its
  // intermediate tensors never reach DRAM.
  std::vector<std::vector<std::string>> fusion;
  std::filesystem::path lut;     // measured latency table (latency_table.h); empty: none
  int threads = 0;               // threads the LUT was measured with (host); 0: n/a
  int64_t batch = 1;             // batch size the LUT and estimates are for
};

}  // namespace nas::hardware
