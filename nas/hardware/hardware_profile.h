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

// The number format the device runs networks in: the roofline uses that
// format's peak, and scales the fp32 byte counts of ops/core/cost.h by its
// element size (fp16: 1/2, int8: 1/4).
enum class Precision { kFp32, kFp16, kInt8 };

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

// Limits of the fusion rules a profile may list (the cost model packs each
// node's position in every rule into one 64-bit mask).
inline constexpr size_t kMaxFusionRules = 7;
inline constexpr size_t kMaxFusionLength = 8;

struct HardwareProfile {
  std::filesystem::path source;  // the YAML file; empty for a measured host profile
  std::string name;              // unique id used in experiments ("raspberry_pi4")
  std::string description;
  DeviceKind kind = DeviceKind::kCpu;
  int cores = 1;                 // >= 1; informational: the peaks below are the whole device's
  double fp32_gflops = 0;        // peak FP32 throughput; > 0 unless precision is int8/fp16
  double fp16_gflops = 0;        // 0: not given
  double int8_gops = 0;          // 0: not given
  Precision precision = Precision::kFp32;  // the format networks run in; its peak is > 0
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
  // Chains of op registry names fused into one kernel; the token "activation"
  // matches any standalone activation op ([conv2d, batch_norm, activation]):
  // only the chain's first op pays per-layer overhead and its intermediate
  // tensors never reach DRAM (docs/hardware_profiles.md gives the exact rule).
  std::vector<std::vector<std::string>> fusion;
  std::filesystem::path lut;     // measured latency table (latency_table.h); empty: none
  int threads = 0;               // threads the LUT was measured with (host); 0: n/a
  int64_t batch = 1;             // batch size the LUT and estimates are for
};

}  // namespace nas::hardware
