#include "nas/hardware/latency_table.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "nas/graph/op_signature.h"
#include "nas/util/atomic_file.h"

namespace nas::hardware {
namespace {

constexpr const char* kHeader = "signature,latency_ms,spread_pct,repeats,energy_mj";

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool parse_double(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(*out);
}

}  // namespace

std::optional<LatencyTable> LatencyTable::load(const std::filesystem::path& path,
                                               config::Diagnostics& diagnostics) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) {
    diagnostics.add({file, 0, 0}, "cannot read the latency table");
    return std::nullopt;
  }
  LatencyTable table;
  const size_t before = diagnostics.size();
  std::string line;
  int line_no = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      header_seen = true;
      if (line.rfind("signature,latency_ms", 0) != 0)
        diagnostics.add({file, line_no, 1},
                        std::string("bad header (expected '") + kHeader + "', got '" + line + "')");
      continue;
    }
    const std::vector<std::string> cells = split_csv(line);
    if (cells.size() < 2 || cells.size() > 5) {
      diagnostics.add({file, line_no, 1}, "expected 2 to 5 columns (" + std::string(kHeader) +
                                              "), got " + std::to_string(cells.size()));
      continue;
    }
    LatencyEntry e;
    e.signature = cells[0];
    int column = static_cast<int>(cells[0].size()) + 2;
    if (e.signature.empty()) diagnostics.add({file, line_no, 1}, "empty signature");
    if (!parse_double(cells[1], &e.latency_ms) || e.latency_ms <= 0)
      diagnostics.add({file, line_no, column},
                      "latency_ms must be a number > 0, got '" + cells[1] + "'");
    column += static_cast<int>(cells[1].size()) + 1;
    if (cells.size() > 2 && !cells[2].empty() && (!parse_double(cells[2], &e.spread_pct) || e.spread_pct < 0))
      diagnostics.add({file, line_no, column}, "spread_pct must be a number >= 0, got '" + cells[2] + "'");
    if (cells.size() > 2) column += static_cast<int>(cells[2].size()) + 1;
    double repeats = 0;
    if (cells.size() > 3 && !cells[3].empty()) {
      if (!parse_double(cells[3], &repeats) || repeats < 0 || repeats != std::floor(repeats))
        diagnostics.add({file, line_no, column}, "repeats must be an integer >= 0, got '" + cells[3] + "'");
      e.repeats = static_cast<int>(repeats);
      column += static_cast<int>(cells[3].size()) + 1;
    }
    if (cells.size() > 4 && !cells[4].empty() && (!parse_double(cells[4], &e.energy_mj) || e.energy_mj < 0))
      diagnostics.add({file, line_no, column}, "energy_mj must be a number >= 0, got '" + cells[4] + "'");
    if (table.find(e.signature))
      diagnostics.add({file, line_no, 1}, "duplicate signature '" + e.signature + "'");
    table.put(e);
  }
  if (!header_seen) diagnostics.add({file, 0, 0}, std::string("empty latency table (expected the header '") + kHeader + "')");
  if (diagnostics.size() != before) return std::nullopt;
  return table;
}

Status LatencyTable::save(const std::filesystem::path& path,
                          const std::vector<std::string>& comments) const {
  std::ostringstream out;
  for (const std::string& c : comments) out << "# " << c << "\n";
  out << kHeader << "\n";
  char buf[64];
  for (const LatencyEntry& e : entries_) {
    out << e.signature;
    std::snprintf(buf, sizeof buf, ",%.6g,%.3g,%d,", e.latency_ms, e.spread_pct, e.repeats);
    out << buf;
    if (e.energy_mj >= 0) {
      std::snprintf(buf, sizeof buf, "%.6g", e.energy_mj);
      out << buf;
    }
    out << "\n";
  }
  return write_file_atomic(path, out.str());
}

void LatencyTable::put(const LatencyEntry& e) {
  const uint64_t h = graph::signature_hash(e.signature);
  if (auto it = index_.find(h); it != index_.end()) {
    entries_[it->second] = e;
    return;
  }
  index_.emplace(h, entries_.size());
  entries_.push_back(e);
}

const LatencyEntry* LatencyTable::find(uint64_t signature_hash) const {
  auto it = index_.find(signature_hash);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const LatencyEntry* LatencyTable::find(const std::string& signature) const {
  return find(graph::signature_hash(signature));
}

}  // namespace nas::hardware
