// LatencyTable: measured latencies per op configuration (docs/hardware_profiles.md
// documents the CSV). Keys are op signatures (nas/graph/op_signature.h);
// lookups go by their 64-bit hash so estimate() does no string work.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nas/config/diagnostics.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct LatencyEntry {
  std::string signature;
  double latency_ms = 0;   // median of the repeats
  double spread_pct = 0;   // (p90 - p10) / median * 100 of the repeats; 0 if unknown
  int repeats = 0;         // 0 if unknown
  double energy_mj = -1;   // measured energy; < 0: not measured
};

class LatencyTable {
 public:
  // Reads a LUT CSV; every bad line is reported as file:line:col into
  // `diagnostics`; nullopt when there was any.
  static std::optional<LatencyTable> load(const std::filesystem::path& path,
                                          config::Diagnostics& diagnostics);
  // Writes the CSV atomically (temporary file + rename), entries in insertion
  // order, with `comments` as leading '# ' lines.
  Status save(const std::filesystem::path& path, const std::vector<std::string>& comments) const;

  // Adds or replaces the entry of e.signature.
  void put(const LatencyEntry& e);
  // nullptr when the configuration was not measured.
  const LatencyEntry* find(uint64_t signature_hash) const;
  const LatencyEntry* find(const std::string& signature) const;
  const std::vector<LatencyEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<LatencyEntry> entries_;
  std::unordered_map<uint64_t, size_t> index_;  // signature hash -> entries_ index
};

}  // namespace nas::hardware
