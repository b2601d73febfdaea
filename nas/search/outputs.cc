#include "nas/search/outputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "nas/config/architecture_writer.h"
#include "nas/search/pareto.h"
#include "nas/util/atomic_file.h"
#include "nas/util/compact_count.h"

namespace nas::search {
namespace fs = std::filesystem;

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string cell(const std::map<std::string, double>& m, const std::string& key) {
  const auto it = m.find(key);
  return it == m.end() || std::isnan(it->second) ? std::string() : shortest_number(it->second);
}

// For the table: a fixed number of digits, or "-".
std::string table_cell(const std::map<std::string, double>& m, const std::string& key, int digits) {
  const auto it = m.find(key);
  if (it == m.end() || std::isnan(it->second)) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, it->second);
  return buf;
}

}  // namespace

std::string shortest_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  // Counts (params, MACs) stay whole numbers rather than 2.5e+06.
  if (v == std::floor(v) && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

RunSummary summarize(const std::vector<CandidateRecord>& history, const Scorer& scorer) {
  RunSummary s;
  std::vector<size_t> feasible;
  std::vector<std::vector<double>> points;
  std::vector<double> scalar(history.size(), 0);
  for (size_t i = 0; i < history.size(); ++i) {
    const CandidateRecord& r = history[i];
    if (r.status == CandidateStatus::kFailed) ++s.failed;
    if (r.status == CandidateStatus::kSkipped) ++s.skipped;
    if (r.status != CandidateStatus::kOk || !r.feasible) continue;
    ++s.feasible;
    feasible.push_back(i);
    points.push_back(scorer.objectives(r));
    scalar[i] = scorer.scalar(r);
  }
  auto better = [&](size_t a, size_t b) {
    if (scalar[a] != scalar[b]) return scalar[a] > scalar[b];
    return history[a].id < history[b].id;
  };
  for (const size_t k : pareto_front(points)) s.pareto.push_back(feasible[k]);
  std::sort(s.pareto.begin(), s.pareto.end(), better);
  for (const size_t i : feasible)
    if (!s.best || better(i, *s.best)) s.best = i;
  return s;
}

std::string pareto_csv(const std::vector<CandidateRecord>& history, const RunSummary& summary,
                       const Scorer& scorer) {
  const std::vector<std::string>& objective_keys = scorer.objective_keys();
  std::set<std::string> others;
  for (const size_t i : summary.pareto)
    for (const auto& [k, v] : history[i].metrics)
      if (std::find(objective_keys.begin(), objective_keys.end(), k) == objective_keys.end())
        others.insert(k);
  std::ostringstream out;
  out << "rank,id,arch,scalar";
  for (const std::string& k : objective_keys) out << "," << csv_field(k);
  for (const std::string& k : others) out << "," << csv_field(k);
  out << "\n";
  int rank = 0;
  for (const size_t i : summary.pareto) {
    const CandidateRecord& r = history[i];
    out << ++rank << "," << r.id << "," << csv_field(r.arch) << ","
        << shortest_number(scorer.scalar(r));
    for (const std::string& k : objective_keys) out << "," << cell(r.metrics, k);
    for (const std::string& k : others) out << "," << cell(r.metrics, k);
    out << "\n";
  }
  return out.str();
}

Status write_outputs(const fs::path& run_dir, const config::Experiment& experiment,
                     const space::Space& space, const EngineOutcome& outcome,
                     const RunSummary& summary, const Scorer& scorer) {
  const std::vector<CandidateRecord>& history = outcome.history;
  if (Status s = write_file_atomic(run_dir / "pareto.csv", pareto_csv(history, summary, scorer)); !s)
    return s;

  nlohmann::ordered_json j;
  j["experiment"] = experiment.name.value;
  j["candidates"] = history.size();
  j["feasible"] = summary.feasible;
  j["failed"] = summary.failed;
  j["skipped"] = summary.skipped;
  j["stop_reason"] = stop_reason_name(outcome.reason);
  j["objectives"] = scorer.objective_keys();
  auto candidate = [&](size_t i) {
    const CandidateRecord& r = history[i];
    nlohmann::ordered_json c;
    c["id"] = r.id;
    c["arch"] = r.arch;
    c["scalar"] = scorer.scalar(r);
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : r.metrics) m[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
    c["metrics"] = m;
    return c;
  };
  j["best"] = summary.best ? candidate(*summary.best) : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json front = nlohmann::ordered_json::array();
  for (const size_t i : summary.pareto) front.push_back(history[i].id);
  j["pareto_ids"] = front;
  const std::string text =
      j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (Status s = write_file_atomic(run_dir / "summary.json", text); !s) return s;

  if (!summary.best) return Status::ok();
  const CandidateRecord& best = history[*summary.best];
  Result<config::Architecture> arch = space.decode(best.genotype);
  if (!arch) return Status::error("failed to decode the best candidate " + best.arch + ": " +
                                  arch.status().message());
  std::error_code ec;
  fs::create_directories(run_dir / "best", ec);
  if (ec) return Status::error("failed to create " + (run_dir / "best").string() + ": " + ec.message());
  return write_file_atomic(run_dir / "best" / "arch.yaml", config::write_architecture(arch.value()));
}

std::string final_table(const std::vector<CandidateRecord>& history, const RunSummary& summary,
                        const Scorer& scorer, const config::Experiment& experiment,
                        size_t max_rows) {
  std::vector<std::string> header = {"rank", "id", "accuracy"};
  for (const config::HardwareSpec& h : experiment.hardware) {
    header.push_back("latency_ms@" + h.name);
    header.push_back("energy_mj@" + h.name);
  }
  header.push_back("params");
  header.push_back("MACs");
  header.push_back("scalar");
  std::vector<std::vector<std::string>> rows;
  for (size_t k = 0; k < summary.pareto.size() && k < max_rows; ++k) {
    const CandidateRecord& r = history[summary.pareto[k]];
    std::vector<std::string> row = {std::to_string(k + 1), std::to_string(r.id),
                                    table_cell(r.metrics, "accuracy", 4)};
    for (const config::HardwareSpec& h : experiment.hardware) {
      row.push_back(table_cell(r.metrics, metric_key("latency_ms", h.name), 3));
      row.push_back(table_cell(r.metrics, metric_key("energy_mj", h.name), 3));
    }
    const auto params = r.metrics.find("params"), macs = r.metrics.find("macs");
    row.push_back(params == r.metrics.end() ? "-" : compact_count(params->second));
    row.push_back(macs == r.metrics.end() ? "-" : compact_count(macs->second));
    row.push_back(shortest_number(scorer.scalar(r)));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream out;
  out << "Pareto front (" << summary.pareto.size() << " of " << summary.feasible
      << " feasible candidates; " << history.size() << " candidates";
  if (summary.failed) out << ", " << summary.failed << " failed";
  if (summary.skipped) out << ", " << summary.skipped << " skipped by cost";
  out << ")";
  if (summary.pareto.size() > rows.size()) out << ", best " << rows.size() << " by scalar";
  out << "\n";
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c)
      out << (c ? "  " : "") << std::string(width[c] - cells[c].size(), ' ') << cells[c];
    out << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  if (!experiment.hardware.empty())
    out << "latency and energy are modelled by each profile's cost model (host latency: sums of "
           "per-op times measured on this machine; energy: modelled from FLOPs, bytes and static "
           "power; '-' where a profile has no energy figures)\n";
  return out.str();
}

}  // namespace nas::search
