#include "nas/hardware/profile_cost_model.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "nas/graph/op_signature.h"
#include "nas/hardware/op_class.h"
#include "nas/hardware/profile_loader.h"
#include "ops/core/op_registry.h"

namespace nas::hardware {
namespace {

using graph::NodeCostRecord;

constexpr int64_t kFp32Bytes = 4;  // ops/core/cost.h counts bytes as fp32

// An open-addressing table from signature hash to a LUT entry's figures:
// estimate() does one probe sequence per node over 16-byte slots (key and
// latency on one cache line); energies sit in a parallel array read only
// when the table has any.
class FlatLut {
 public:
  explicit FlatLut(const LatencyTable* table) {
    const size_t n = table ? table->size() : 0;
    size_t cap = 16;
    int bits = 4;
    while (cap < 2 * n) cap *= 2, ++bits;
    shift_ = 64 - bits;
    slots_.assign(cap, Slot{});
    energy_.assign(cap, -1);
    if (!table) return;
    for (const LatencyEntry& e : table->entries()) {
      const uint64_t h = graph::signature_hash(e.signature);
      if (e.energy_mj >= 0) has_energy_ = true;
      if (h == kEmpty) {  // the one key the slots cannot hold
        zero_ = Slot{h, e.latency_ms};
        zero_energy_ = e.energy_mj;
        continue;
      }
      size_t i = slot(h);
      while (slots_[i].key != kEmpty && slots_[i].key != h) i = (i + 1) & (cap - 1);
      slots_[i] = Slot{h, e.latency_ms};
      energy_[i] = e.energy_mj;
    }
    empty_ = n == 0;
  }

  bool has_energy() const { return has_energy_; }

  // The measured latency of signature hash h, or a negative number; its
  // measured energy (negative: none) in *energy_mj.
  double find(uint64_t h, double* energy_mj) const {
    *energy_mj = -1;
    if (empty_) return -1;
    if (h == kEmpty) {
      *energy_mj = zero_energy_;
      return zero_.latency_ms;
    }
    const size_t mask = slots_.size() - 1;
    for (size_t i = slot(h);; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == h) {
        if (has_energy_) *energy_mj = energy_[i];
        return s.latency_ms;
      }
      if (s.key == kEmpty) return -1;
    }
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  struct Slot {
    uint64_t key = kEmpty;
    double latency_ms = -1;
  };
  // Fibonacci hashing: the top bits of h times 2^64 / golden ratio.
  size_t slot(uint64_t h) const { return static_cast<size_t>((h * 0x9E3779B97F4A7C15ULL) >> shift_); }

  int shift_ = 60;
  bool empty_ = true;
  bool has_energy_ = false;
  std::vector<Slot> slots_;
  std::vector<double> energy_;
  Slot zero_;
  double zero_energy_ = -1;
};

// What the cost model needs per registry op, indexed by NodeCostRecord::op_id.
struct OpInfo {
  OpClass base = OpClass::kOther;
  bool is_conv2d = false;  // refined to pointwise / depthwise by attributes
  // Bit 8*r + j: the op matches token j of fusion rule r.
  uint64_t fusion_match = 0;
  uint64_t fusion_start = 0;  // the bits with j == 0
};

// Bits 8*r + 0 of every rule: a chain position that shifting cannot reach.
constexpr uint64_t kPositionZero = 0x0101010101010101ULL;
// Scratch bit: this node's output stays inside a fused kernel.
constexpr uint64_t kFusedIntoNext = 1ULL << 63;

double peak_gops(const HardwareProfile& p) {
  switch (p.precision) {
    case Precision::kFp16: return p.fp16_gflops;
    case Precision::kInt8: return p.int8_gops;
    case Precision::kFp32: break;
  }
  return p.fp32_gflops;
}

int64_t element_bytes(Precision p) {
  switch (p) {
    case Precision::kFp16: return 2;
    case Precision::kInt8: return 1;
    case Precision::kFp32: break;
  }
  return 4;
}

// Per-thread scratch reused across calls, so estimate() allocates only
// while it grows to the largest network seen.
struct Scratch {
  std::vector<uint64_t> state;    // fusion chain positions | kFusedIntoNext
  std::vector<int64_t> free_at;   // activation bytes released after each step
};
Scratch& scratch(size_t n) {
  thread_local Scratch s;
  if (s.state.size() < n) {
    s.state.resize(n);
    s.free_at.resize(n);
  }
  return s;
}

class ProfileCostModel final : public CostModel {
 public:
  ProfileCostModel(HardwareProfile profile, std::optional<LatencyTable> lut)
      : profile_(std::move(profile)), lut_(lut ? &*lut : nullptr) {
    const double peak = peak_gops(profile_);
    NAS_CHECK(peak > 0 && profile_.bandwidth_gbs > 0);
    // flops / (GFLOP/s * 1e9) s = flops * 1e-6 / GFLOP/s ms.
    for (int c = 0; c < kNumOpClasses; ++c) ms_per_flop_[c] = 1e-6 / (peak * profile_.efficiency[c]);
    elem_bytes_ = element_bytes(profile_.precision);
    ms_per_byte_ = 1e-6 / profile_.bandwidth_gbs;
    per_layer_ms_ = profile_.per_layer_us * 1e-3;
    mj_per_flop_ = profile_.pj_per_flop * 1e-9;
    mj_per_byte_ = profile_.pj_per_dram_byte * 1e-9;
    const std::vector<std::string> names = ops::op_registry().names();
    ops_.resize(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      OpInfo& o = ops_[i];
      o.base = op_class(names[i], 3, 1);
      o.is_conv2d = names[i] == "conv2d";
      for (size_t r = 0; r < profile_.fusion.size(); ++r) {
        const std::vector<std::string>& rule = profile_.fusion[r];
        NAS_CHECK(r < kMaxFusionRules && rule.size() <= kMaxFusionLength);
        for (size_t j = 0; j < rule.size(); ++j) {
          const bool match =
              rule[j] == names[i] || (rule[j] == "activation" && is_activation_op(names[i]));
          if (match) o.fusion_match |= 1ULL << (8 * r + j);
        }
      }
      o.fusion_start = o.fusion_match & kPositionZero;
    }
  }

  const std::string& name() const override { return profile_.name; }
  bool models_energy() const override {
    return profile_.pj_per_flop > 0 || profile_.pj_per_dram_byte > 0 || profile_.static_w > 0 ||
           lut_.has_energy();
  }

  CostEstimate estimate(const graph::NetworkSpec& spec, bool breakdown) const override {
    const std::vector<NodeCostRecord>& rec = spec.cost_records();
    const int n = static_cast<int>(rec.size());
    Scratch& s = scratch(rec.size());
    uint64_t* state = s.state.data();
    int64_t* free_at = s.free_at.data();
    std::fill(free_at, free_at + n, 0);
    const bool last_is_output = !spec.outputs_set();

    CostEstimate e;
    double measured_ms = 0;
    bool all_energy_measured = n > 0;
    int64_t params = 0, live = 0, peak = 0;
    if (breakdown) e.breakdown.reserve(rec.size());
    for (int i = 0; i < n; ++i) {
      const NodeCostRecord& r = rec[i];
      const bool is_output = r.is_output || (last_is_output && i == n - 1);
      // Activation liveness: this node's outputs are live from now until
      // after their last consumer runs; network outputs stay to the end.
      const int64_t out_bytes = r.output_elements * elem_bytes_;
      live += out_bytes;
      peak = std::max(peak, live);
      if (!is_output) {
        if (r.last_consumer < 0) live -= out_bytes;
        else free_at[r.last_consumer] += out_bytes;
      }
      live -= free_at[i];
      params += r.params;
      if (r.op_id < 0) {  // a network input: no work
        state[i] = 0;
        continue;
      }
      e.macs += r.macs;
      const OpInfo& op = ops_[r.op_id];
      // Fusion: follow a chain from the producer of input 0 when that
      // producer marked its output as staying in the fused kernel.
      const bool follower = r.first_input >= 0 && (state[r.first_input] & kFusedIntoNext);
      uint64_t chain = follower ? ((state[r.first_input] & ~kFusedIntoNext) << 1) & op.fusion_match &
                                      ~kPositionZero
                                : op.fusion_start;
      bool fused_into_next = false;
      if (chain != 0 && r.consumers == 1 && !is_output) {
        const NodeCostRecord& next = rec[r.last_consumer];
        fused_into_next = next.first_input == i && next.op_id >= 0 &&
                          ((chain << 1) & ops_[next.op_id].fusion_match & ~kPositionZero) != 0;
      }
      state[i] = chain | (fused_into_next ? kFusedIntoNext : 0);

      int64_t bytes = r.bytes_read + r.bytes_written;
      if (follower) bytes -= r.first_input_elements * kFp32Bytes;  // input stays on chip
      if (fused_into_next) bytes -= r.output_elements * kFp32Bytes;  // output stays on chip
      bytes = std::max<int64_t>(bytes, 0);
      const double dram_bytes = static_cast<double>(bytes) * elem_bytes_ / kFp32Bytes;
      const double flops = 2.0 * static_cast<double>(r.macs) + static_cast<double>(r.flops_other);

      double measured_energy_mj;
      double latency_ms = lut_.find(r.signature_hash, &measured_energy_mj);
      const bool measured = latency_ms >= 0;
      if (measured) {
        measured_ms += latency_ms;
      } else {
        OpClass c = op.base;
        if (op.is_conv2d) c = r.groups != 1 ? OpClass::kDepthwise
                              : r.kernel == 1 ? OpClass::kPointwise
                                              : OpClass::kConv;
        latency_ms = std::max(flops * ms_per_flop_[static_cast<int>(c)], dram_bytes * ms_per_byte_) +
                     (follower ? 0.0 : per_layer_ms_);
      }
      double energy_mj;
      if (measured_energy_mj >= 0) {
        energy_mj = measured_energy_mj;
      } else {
        all_energy_measured = false;
        energy_mj = flops * mj_per_flop_ + dram_bytes * mj_per_byte_ + profile_.static_w * latency_ms;
      }
      e.latency_ms += latency_ms;
      e.energy_mj += energy_mj;
      if (breakdown) e.breakdown.push_back(NodeCost{i, latency_ms, energy_mj, measured, follower});
    }
    e.energy_measured = all_energy_measured;
    e.params = params;
    e.activation_bytes = peak;
    const int64_t param_bytes = params * elem_bytes_;
    e.peak_memory_bytes = peak + param_bytes;
    e.lut_coverage = e.latency_ms > 0 ? measured_ms / e.latency_ms : 0;
    check_limits(e, param_bytes);
    return e;
  }

 private:
  void check_limits(CostEstimate& e, int64_t param_bytes) const {
    auto fail = [&](const std::string& what) {
      e.feasible = false;
      if (!e.infeasible_reason.empty()) e.infeasible_reason += "; ";
      e.infeasible_reason += what;
    };
    const HardwareProfile& p = profile_;
    if (p.sram_bytes > 0 && e.activation_bytes > p.sram_bytes)
      fail("activation peak " + std::to_string(e.activation_bytes) + " bytes exceeds sram_bytes " +
           std::to_string(p.sram_bytes));
    if (p.flash_bytes > 0 && param_bytes > p.flash_bytes)
      fail("parameters " + std::to_string(param_bytes) + " bytes exceed flash_bytes " +
           std::to_string(p.flash_bytes));
    if (p.memory_bytes > 0 && e.peak_memory_bytes > p.memory_bytes)
      fail("peak memory " + std::to_string(e.peak_memory_bytes) + " bytes exceeds capacity_bytes " +
           std::to_string(p.memory_bytes));
  }

  HardwareProfile profile_;
  FlatLut lut_;
  std::vector<OpInfo> ops_;
  std::array<double, kNumOpClasses> ms_per_flop_{};
  int64_t elem_bytes_ = 4;
  double ms_per_byte_ = 0, per_layer_ms_ = 0, mj_per_flop_ = 0, mj_per_byte_ = 0;
};

}  // namespace

std::unique_ptr<CostModel> make_profile_cost_model(HardwareProfile profile,
                                                   std::optional<LatencyTable> lut) {
  return std::make_unique<ProfileCostModel>(std::move(profile), std::move(lut));
}

std::unique_ptr<CostModel> load_profile_cost_model(const std::filesystem::path& path,
                                                   config::Diagnostics& diagnostics) {
  auto profile = load_hardware_profile(path, diagnostics);
  if (!profile) return nullptr;
  std::optional<LatencyTable> lut;
  if (!profile->lut.empty()) {
    lut = LatencyTable::load(profile->lut, diagnostics);
    if (!lut) return nullptr;
  }
  return make_profile_cost_model(std::move(*profile), std::move(lut));
}

}  // namespace nas::hardware
