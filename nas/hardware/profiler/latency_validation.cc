#include "nas/hardware/profiler/latency_validation.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "nas/graph/architecture_builder.h"
#include "nas/hardware/profiler/timing_stats.h"
#include "nas/space/genotype_ops.h"
#include "nas/train/rng.h"
#include "nas/util/progress.h"

namespace nas::hardware {

Result<std::vector<SampledNetwork>> sample_networks(const space::Space& space, int count, uint64_t seed,
                                                    int64_t batch,
                                                    const std::unordered_set<std::string>* exclude,
                                                    int* overlap) {
  train::Rng rng(seed);
  std::vector<SampledNetwork> out;
  int skipped_in_a_row = 0;
  if (overlap != nullptr) *overlap = 0;
  while (static_cast<int>(out.size()) < count) {
    const space::Genotype g = space::sample_uniform(space, rng);
    SampledNetwork n;
    n.arch = space.canonical_string(g);
    if (exclude != nullptr && exclude->count(n.arch)) {
      if (skipped_in_a_row < 1000) {  // once 1,000 in a row were, nothing is skipped any more
        ++skipped_in_a_row;
        continue;
      }
      if (overlap != nullptr) ++*overlap;
    } else if (skipped_in_a_row < 1000) {
      skipped_in_a_row = 0;
    }
    auto arch = space.decode(g);
    if (!arch) return Status::error("failed to decode " + n.arch + ": " + arch.status().message());
    auto spec = graph::build_network_spec(arch.value(), batch);
    if (!spec) return Status::error("failed to build " + n.arch + ": " + spec.status().message());
    n.spec = spec.take();
    out.push_back(std::move(n));
  }
  return out;
}

Result<ValidationRun> validate_latency(const space::Space& space, const CostModel& model,
                                      const ValidationOptions& options) {
  NAS_CHECK(options.samples >= 1 && options.batch >= 1);
  ValidationRun run;
  auto sampled = sample_networks(space, options.samples, options.seed, options.batch,
                                 options.exclude.empty() ? nullptr : &options.exclude, &run.excluded_overlap);
  if (!sampled) return sampled.status();
  for (SampledNetwork& n : sampled.value()) {
    ValidationRow row;
    row.arch = n.arch;
    for (int id = 0; id < n.spec.size(); ++id) row.nodes += n.spec.node(id).is_input() ? 0 : 1;
    const CostEstimate e = model.estimate(n.spec);
    row.predicted_ms = e.latency_ms;
    row.lut_coverage = e.lut_coverage;
    run.rows.push_back(row);
    run.specs.push_back(std::move(n.spec));
  }
  // The companions spread evenly among the validated networks, so that both
  // meet the same moments of the same sweeps. slot[i] < 0: companion -1 - slot.
  const size_t n = run.specs.size(), m = options.companions.size();
  std::vector<graph::NetworkSpec> all;
  std::vector<long> slot;
  for (size_t i = 0, j = 0; i < n || j < m;) {
    const bool companion_next = j < m && (i >= n || (j + 1) * n <= (i + 1) * m);
    if (companion_next) {
      all.push_back(options.companions[j]);
      slot.push_back(-1 - static_cast<long>(j++));
    } else {
      all.push_back(run.specs[i]);
      slot.push_back(static_cast<long>(i++));
    }
  }
  std::unique_ptr<Progress> progress;
  if (options.show_progress)
    progress = std::make_unique<Progress>("timing networks",
                                          static_cast<int64_t>(all.size()) * std::max(1, options.timing.sweeps));
  std::vector<int> group_of;
  auto times = time_networks(all, options.timing, [&](int64_t done) {
    if (progress) progress->update(done);
  }, &run.waiting_share, &group_of);
  if (!times) return times.status();
  if (progress) progress->finish();
  run.companion_ms.assign(m, 0.0);
  run.companion_window.assign(m, 0);
  for (size_t k = 0; k < all.size(); ++k) {
    const TimingStats& t = times.value()[k];
    run.windows = std::max(run.windows, group_of[k] + 1);
    if (slot[k] < 0) {
      run.companion_ms[static_cast<size_t>(-1 - slot[k])] = t.low_quartile_ms;
      run.companion_window[static_cast<size_t>(-1 - slot[k])] = group_of[k];
      continue;
    }
    ValidationRow& row = run.rows[static_cast<size_t>(slot[k])];
    row.measured_ms = t.low_quartile_ms;
    row.spread_pct = t.spread_pct;
    row.undisturbed = t.undisturbed;
    row.window = group_of[k];
  }
  return run;
}

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  NAS_CHECK(a.size() == b.size());
  int64_t concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) ++ties_a;
      else if (db == 0) ++ties_b;
      else if ((da > 0) == (db > 0)) ++concordant;
      else ++discordant;
    }
  }
  const double n1 = static_cast<double>(concordant + discordant + ties_a);
  const double n2 = static_cast<double>(concordant + discordant + ties_b);
  if (n1 <= 0 || n2 <= 0) return 0;
  return static_cast<double>(concordant - discordant) / std::sqrt(n1 * n2);
}

ValidationSummary summarize_validation(const std::vector<ValidationRow>& rows) {
  ValidationSummary s;
  s.networks = static_cast<int>(rows.size());
  if (rows.empty()) return s;
  double se = 0, se_rel = 0, ratio = 0, coverage = 0;
  int w5 = 0, w10 = 0, undisturbed = 0;
  std::vector<double> measured, predicted, spreads;
  for (const ValidationRow& r : rows) {
    const double err = r.predicted_ms - r.measured_ms;
    const double rel = r.measured_ms > 0 ? err / r.measured_ms : 0;
    se += err * err;
    se_rel += rel * rel;
    w5 += std::abs(rel) <= 0.05 ? 1 : 0;
    w10 += std::abs(rel) <= 0.10 ? 1 : 0;
    ratio += r.predicted_ms > 0 ? r.measured_ms / r.predicted_ms : 0;
    coverage += r.lut_coverage;
    undisturbed += r.undisturbed > 0 ? 1 : 0;
    measured.push_back(r.measured_ms);
    predicted.push_back(r.predicted_ms);
    spreads.push_back(r.spread_pct);
  }
  const double n = static_cast<double>(rows.size());
  s.within_5pct = w5 / n;
  s.within_10pct = w10 / n;
  s.rmse_ms = std::sqrt(se / n);
  s.rmse_pct = 100.0 * std::sqrt(se_rel / n);
  s.kendall_tau = kendall_tau(predicted, measured);
  s.mean_ratio = ratio / n;
  s.median_spread_pct = median_of(spreads);
  s.mean_lut_coverage = coverage / n;
  s.undisturbed_share = undisturbed / n;
  return s;
}

}  // namespace nas::hardware
