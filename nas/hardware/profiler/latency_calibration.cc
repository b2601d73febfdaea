#include "nas/hardware/profiler/latency_calibration.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "nas/hardware/op_class.h"
#include "nas/train/rng.h"

namespace nas::hardware {
namespace {

// The calibration's seed stream: validation samples from Rng(--seed), this
// from mix_seed(kCalibrationStream, space index).
constexpr uint64_t kCalibrationStream = 0xCA1B'0A7E'5EED'0001ull;

int per_space(int networks, size_t spaces) {
  return spaces == 0 ? 0 : (networks + static_cast<int>(spaces) - 1) / static_cast<int>(spaces);
}

// Solves A x = b (n x n, row-major) by Gaussian elimination with partial
// pivoting; false when A is singular.
bool solve(std::vector<double> a, std::vector<double> b, std::vector<double>& x) {
  const size_t n = b.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) pivot = r;
    if (std::abs(a[pivot * n + col]) < 1e-300) return false;
    if (pivot != col) {
      for (size_t c = 0; c < n; ++c) std::swap(a[col * n + c], a[pivot * n + c]);
      std::swap(b[col], b[pivot]);
    }
    for (size_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / a[col * n + col];
      for (size_t c = col; c < n; ++c) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  x.assign(n, 0.0);
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t c = i + 1; c < n; ++c) s -= a[i * n + c] * x[c];
    x[i] = s / a[i * n + i];
  }
  return true;
}

// One calibration network in terms of the fit: its measured latency, the
// fixed part (entries not recalibrated), per class the sum of its
// recalibrated entries, and how many recalibrated nodes it has.
struct Row {
  double measured = 0, fixed = 0, nodes = 0;
  double by_class[kNumOpClasses] = {};
};

double predicted(const Row& r, const double* scale, double per_node_ms) {
  double p = r.fixed + r.nodes * per_node_ms;
  for (int c = 0; c < kNumOpClasses; ++c) p += scale[c] * r.by_class[c];
  return p;
}

double rmse_pct(const std::vector<Row>& rows, const double* scale, double per_node_ms) {
  double se = 0;
  for (const Row& r : rows) {
    const double rel = (predicted(r, scale, per_node_ms) - r.measured) / r.measured;
    se += rel * rel;
  }
  return rows.empty() ? 0 : 100.0 * std::sqrt(se / static_cast<double>(rows.size()));
}

}  // namespace

Result<std::vector<SampledNetwork>> calibration_networks(const std::vector<const space::Space*>& spaces,
                                                         int space_index, int networks, int64_t batch) {
  NAS_CHECK(space_index >= 0 && space_index < static_cast<int>(spaces.size()));
  return sample_networks(*spaces[space_index], per_space(networks, spaces.size()),
                         train::mix_seed(kCalibrationStream, static_cast<uint64_t>(space_index)), batch);
}

LatencyCalibration fit_calibration(std::span<const graph::NetworkSpec> specs, std::span<const double> measured_ms,
                                   const std::unordered_map<uint64_t, int>& free_class, LatencyTable& lut,
                                   double ridge) {
  NAS_CHECK(specs.size() == measured_ms.size());
  LatencyCalibration out;
  for (double& s : out.scale) s = 1.0;
  // The networks the table covers, in terms of the fit.
  std::vector<Row> rows;
  std::vector<size_t> used;
  for (size_t k = 0; k < specs.size(); ++k) {
    Row r;
    r.measured = std::max(measured_ms[k], 1e-9);
    bool complete = true;
    for (int id = 0; id < specs[k].size() && complete; ++id) {
      const graph::NodeSpec& node = specs[k].node(id);
      if (node.is_input()) continue;
      const LatencyEntry* e = lut.find(node.signature_hash);
      if (e == nullptr) {
        complete = false;
      } else if (auto it = free_class.find(node.signature_hash); it != free_class.end()) {
        r.by_class[it->second] += e->latency_ms;
        r.nodes += 1;
      } else {
        r.fixed += e->latency_ms;
      }
    }
    if (!complete) continue;
    rows.push_back(r);
    used.push_back(k);
  }
  out.networks = static_cast<int>(rows.size());
  if (rows.size() < 4) return out;
  // Unknowns: the scale of each class with recalibrated entries, then the
  // per-node term (in ms). Rows are divided by the measured latency, so the
  // fit minimises relative errors, as the validation counts them.
  std::vector<int> classes;
  for (int c = 0; c < kNumOpClasses; ++c) {
    for (const Row& r : rows)
      if (r.by_class[c] > 0) {
        classes.push_back(c);
        break;
      }
  }
  const size_t n = classes.size() + 1;
  std::vector<double> ata(n * n, 0.0), atb(n, 0.0), x(n);
  for (const Row& r : rows) {
    for (size_t i = 0; i < classes.size(); ++i) x[i] = r.by_class[classes[i]] / r.measured;
    x[n - 1] = r.nodes / r.measured;
    const double target = (r.measured - r.fixed) / r.measured;
    for (size_t i = 0; i < n; ++i) {
      atb[i] += x[i] * target;
      for (size_t j = 0; j < n; ++j) ata[i * n + j] += x[i] * x[j];
    }
  }
  // Ridge: scales toward 1; the per-node term toward 0 on a 10 us scale.
  const double lambda = ridge;
  for (size_t i = 0; i + 1 < n; ++i) {
    ata[i * n + i] += lambda;
    atb[i] += lambda;
  }
  ata[(n - 1) * n + (n - 1)] += lambda / (0.01 * 0.01);

  double mean_ratio = 0;
  for (const Row& r : rows) mean_ratio += r.measured / predicted(r, out.scale, 0.0);
  out.mean_ratio_before = mean_ratio / static_cast<double>(rows.size());
  out.rmse_pct_before = rmse_pct(rows, out.scale, 0.0);

  std::vector<double> solution;
  if (!solve(ata, atb, solution)) return out;  // degenerate: keep the entries as measured
  double scale[kNumOpClasses];
  for (double& s : scale) s = 1.0;
  for (size_t i = 0; i < classes.size(); ++i) scale[classes[i]] = std::clamp(solution[i], 0.25, 4.0);
  const double per_node_ms = solution[n - 1];

  for (const auto& [hash, k] : free_class) {
    const LatencyEntry* e = lut.find(hash);
    if (e == nullptr) continue;
    LatencyEntry updated = *e;
    updated.latency_ms = std::max(scale[k] * e->latency_ms + per_node_ms, 1e-6);  // a LUT latency is > 0
    lut.put(updated);
  }
  // The figures after, from the entries as written (the floor included).
  for (Row& r : rows) r = Row{r.measured, r.fixed, r.nodes, {}};
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int id = 0; id < specs[used[i]].size(); ++id) {
      const graph::NodeSpec& node = specs[used[i]].node(id);
      if (node.is_input()) continue;
      if (auto it = free_class.find(node.signature_hash); it != free_class.end())
        rows[i].by_class[it->second] += lut.find(node.signature_hash)->latency_ms;
    }
  }
  double ones[kNumOpClasses];
  for (double& s : ones) s = 1.0;
  out.rmse_pct_after = rmse_pct(rows, ones, 0.0);
  for (int c : classes) {
    out.scale[c] = scale[c];
    out.fitted[c] = true;
  }
  out.per_node_us = per_node_ms * 1e3;
  return out;
}

std::unordered_map<uint64_t, int> entry_classes(std::span<const graph::NetworkSpec> specs) {
  std::unordered_map<uint64_t, int> out;
  for (const graph::NetworkSpec& spec : specs)
    for (int id = 0; id < spec.size(); ++id) {
      const graph::NodeSpec& node = spec.node(id);
      if (!node.is_input()) out.emplace(node.signature_hash, static_cast<int>(op_class(node.op, node.attrs)));
    }
  return out;
}

Result<LatencyCalibration> calibrate_latency_table(const std::vector<const space::Space*>& spaces,
                                                   std::span<const OpConfig> recalibrate, LatencyTable& lut,
                                                   const CalibrationOptions& options) {
  LatencyCalibration none;
  for (double& s : none.scale) s = 1.0;
  if (options.networks <= 0 || recalibrate.empty()) return none;
  std::unordered_map<uint64_t, int> free_class;  // recalibrated signature -> op class
  for (const OpConfig& c : recalibrate)
    free_class.emplace(c.signature_hash, static_cast<int>(op_class(c.op, c.attrs)));
  std::vector<graph::NetworkSpec> specs;
  for (int i = 0; i < static_cast<int>(spaces.size()); ++i) {
    auto sampled = calibration_networks(spaces, i, options.networks, options.batch);
    if (!sampled) return sampled.status();
    for (SampledNetwork& n : sampled.value()) specs.push_back(std::move(n.spec));
  }
  // Only networks the table covers are worth timing.
  std::vector<graph::NetworkSpec> covered;
  for (graph::NetworkSpec& spec : specs) {
    bool complete = true;
    for (int id = 0; id < spec.size() && complete; ++id)
      complete = spec.node(id).is_input() || lut.find(spec.node(id).signature_hash) != nullptr;
    if (complete) covered.push_back(std::move(spec));
  }
  if (covered.size() < 4) {
    none.networks = static_cast<int>(covered.size());
    return none;
  }
  auto times = time_networks(covered, options.timing);
  if (!times) return times.status();
  std::vector<double> measured;
  for (const TimingStats& t : times.value()) measured.push_back(t.low_quartile_ms);
  return fit_calibration(covered, measured, free_class, lut, options.ridge);
}

}  // namespace nas::hardware
