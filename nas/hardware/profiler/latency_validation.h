// `nas profile --validate`: how well a cost model predicts the end-to-end
// forward latency of whole networks measured with the real executor and
// kernels. Random networks of a space are built, timed (network_timer.h)
// and estimated; the summary gives the share within +-5% / +-10%, RMSE and
// Kendall's tau (does the model rank networks as the clock does).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "nas/graph/network_spec.h"
#include "nas/hardware/cost_model.h"
#include "nas/hardware/profiler/network_timer.h"
#include "nas/space/space.h"
#include "ops/core/status.h"

namespace nas::hardware {

struct ValidationOptions {
  int samples = 200;       // random networks (uniform genotypes), >= 1
  uint64_t seed = 0;
  int64_t batch = 1;
  NetworkTimingOptions timing;
  bool show_progress = true;
  // Canonical strings never validated on (the profiler's calibration
  // networks, latency_calibration.h), as far as the space allows.
  std::unordered_set<std::string> exclude;
  // Networks timed in the same sweeps as the validated ones, spread evenly
  // among them, and not validated (the CLI times the calibration networks
  // this way to re-fit the calibration in the validation's own conditions).
  std::vector<graph::NetworkSpec> companions;
};

struct ValidationRow {
  std::string arch;          // the genotype's canonical string
  int nodes = 0;             // op nodes
  double measured_ms = 0;    // low quartile of the timed forwards (timing_stats.h)
  double spread_pct = 0;     // their (p90 - p10) / median
  double predicted_ms = 0;   // the cost model's estimate
  double lut_coverage = 0;   // share of the estimate from measured entries
  int undisturbed = 0;       // undisturbed passes measured_ms comes from; 0: too few, all passes
  int window = 0;            // the timing group it was measured in (network_timer.h: time_networks' group_of)
};

struct ValidationSummary {
  int networks = 0;
  double within_5pct = 0;    // share of networks with |predicted / measured - 1| <= 0.05
  double within_10pct = 0;
  double rmse_ms = 0;
  double rmse_pct = 0;       // RMS of (predicted - measured) / measured, in %
  double kendall_tau = 0;    // tau-b of predicted vs measured
  double mean_ratio = 0;     // mean of measured / predicted
  double median_spread_pct = 0;
  double mean_lut_coverage = 0;
  double undisturbed_share = 0;  // share of networks measured from undisturbed passes (network_timer.h)
  // Share of the timing's wall time the executor's thread waited for a CPU
  // (a loaded machine); -1 when unknown.
  double waiting_share = -1;
  // Networks validated on that were in ValidationOptions::exclude (only in a
  // space too small to avoid them).
  int excluded_overlap = 0;
};

// `count` uniform random genotypes of `space` from `seed`, built at `batch`:
// the canonical string and the network of each, in sampling order. Draws
// whose canonical string is in `exclude` are skipped, unless 1,000 draws in
// a row were (a space hardly larger than `exclude`): from then on nothing
// is skipped, and `*overlap` (when given) counts the networks taken from
// `exclude`.
struct SampledNetwork {
  std::string arch;
  graph::NetworkSpec spec;
};
Result<std::vector<SampledNetwork>> sample_networks(const space::Space& space, int count, uint64_t seed,
                                                    int64_t batch,
                                                    const std::unordered_set<std::string>* exclude = nullptr,
                                                    int* overlap = nullptr);

struct ValidationRun {
  std::vector<ValidationRow> rows;
  std::vector<graph::NetworkSpec> specs;  // the validated networks, in row order
  std::vector<double> companion_ms;       // ValidationOptions::companions' latencies, in order
  std::vector<int> companion_window;      // and the timing group each was measured in (as ValidationRow::window)
  int windows = 0;                        // timing groups (windows 0 .. windows - 1)
  // Share of the timing's wall time the executor's thread waited for a CPU
  // (run_delay.h); -1 when unknown.
  double waiting_share = -1;
  int excluded_overlap = 0;  // see sample_networks
};

// Samples, builds, times and estimates `options.samples` networks of
// `space`, timing the companions in the same call, spread among them.
Result<ValidationRun> validate_latency(const space::Space& space, const CostModel& model,
                                      const ValidationOptions& options);

ValidationSummary summarize_validation(const std::vector<ValidationRow>& rows);

// Kendall's tau-b of two equally long series (ties handled); 0 when fewer
// than two pairs or a series is constant.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace nas::hardware
