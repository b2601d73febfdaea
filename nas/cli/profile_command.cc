#include "nas/cli/profile_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "nas/hardware/op_class.h"
#include "nas/util/log.h"
#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/profiler/host_cache.h"
#include "nas/hardware/profiler/host_profiler.h"
#include "nas/hardware/profiler/latency_validation.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/space/space_loader.h"
#include "nas/util/atomic_file.h"
#include "nas/util/paths.h"
#include "nas/util/suggest.h"
#include "ops/core/parallel.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::cerr << "nas profile: error: " << message << "\n";
  return kExitUsage;
}

// The shipped spaces' names (search_spaces/*.yaml).
std::vector<std::string> shipped_spaces() {
  std::vector<std::string> names;
  const fs::path root = data_root();
  std::error_code ec;
  if (root.empty()) return names;
  for (const auto& e : fs::directory_iterator(root / "search_spaces", ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A --space value: a YAML path, or the name of a shipped space.
std::optional<fs::path> resolve_space(const std::string& s) {
  std::error_code ec;
  if (fs::is_regular_file(s, ec)) return fs::path(s);
  const bool looks_like_path = s.find('/') != std::string::npos || fs::path(s).extension() == ".yaml";
  const fs::path root = data_root();
  if (!looks_like_path && !root.empty() && fs::is_regular_file(root / "search_spaces" / (s + ".yaml"), ec))
    return root / "search_spaces" / (s + ".yaml");
  const std::vector<std::string> names = shipped_spaces();
  std::string message = "--space '" + s + "' is neither a file nor a shipped space (";
  if (const std::string near = closest_name(s, names); !near.empty()) message += "did you mean '" + near + "'? ";
  message += "shipped: " + join_names(names) + ")";
  fail(message);
  return std::nullopt;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", one, five, fifteen);
  return buf;
}

void print_profile(const hardware::HostProfileReport& r) {
  const hardware::HardwareProfile& p = r.profile;
  char line[512];
  std::printf("host: %s, %d threads, batch %lld (load average %s)\n", r.cpu_model.c_str(), p.threads,
              static_cast<long long>(p.batch), load_average().c_str());
  const char* when = r.machine_measured ? "measured" : "cached";
  std::snprintf(line, sizeof line,
                "peak FP32: %.1f GFLOP/s (%s%s FMA loop), bandwidth: %.1f GB/s (STREAM triad), "
                "executor overhead: %.2f us per layer (%s)",
                p.fp32_gflops, r.machine_measured ? r.peak_isa.c_str() : "", r.machine_measured ? "" : "cached",
                p.bandwidth_gbs, p.per_layer_us, when);
  std::cout << line << "\n";
  for (const hardware::SpaceCoverage& c : r.coverage) {
    std::cout << c.space << ": " << c.configs << " op configurations, "
              << (c.exhaustive ? "exact (every one of " + std::to_string(c.genotypes) + " genotypes decoded)"
                               : "sampled from " + std::to_string(c.genotypes) +
                                     " genotypes until none new came: an estimate of the space's set")
              << "\n";
  }
  std::snprintf(line, sizeof line,
                "%lld configurations: %lld measured now, %lld from the cache (%d networks run); median noise "
                "(p90-p10)/median %.1f%%",
                static_cast<long long>(r.configs), static_cast<long long>(r.measured),
                static_cast<long long>(r.configs - r.measured), r.networks, r.median_spread_pct);
  std::cout << line << "\n";
  if (r.calibration.networks > 0) {
    std::string scales;
    for (int k = 0; k < hardware::kNumOpClasses; ++k) {
      if (!r.calibration.fitted[k]) continue;
      std::snprintf(line, sizeof line, "%s%s %.3f", scales.empty() ? "" : ", ",
                    hardware::op_class_name(static_cast<hardware::OpClass>(k)), r.calibration.scale[k]);
      scales += line;
    }
    std::snprintf(line, sizeof line,
                  "calibrated on %d whole networks (not validated on): measured / sum of entries %.3f before, "
                  "RMS error %.1f%% before, %.1f%% after; per-node term %+.2f us; scales: ",
                  r.calibration.networks, r.calibration.mean_ratio_before, r.calibration.rmse_pct_before,
                  r.calibration.rmse_pct_after, r.calibration.per_node_us);
    std::cout << line << scales << "\n";
  }
  std::cout << (r.wrote ? "wrote " : "read ") << (r.dir / hardware::kHostProfileFile).string() << " and "
            << (r.dir / hardware::kHostLutFile).string() << " (" << r.lut.size() << " entries"
            << (r.wrote ? "" : "; nothing new to measure, files unchanged") << ")\n";
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}

// "SPACE: N networks: within +-5%: ..., Kendall tau ..." for one set of predictions.
std::string validation_line(const std::string& space, const hardware::ValidationSummary& s) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %d networks: within +-5%%: %.1f%%, within +-10%%: %.1f%%, RMSE %.4f ms (%.1f%%), "
                "Kendall tau %.3f, mean measured/predicted %.3f",
                space.c_str(), s.networks, 100 * s.within_5pct, 100 * s.within_10pct, s.rmse_ms, s.rmse_pct,
                s.kendall_tau, s.mean_ratio);
  return line;
}

void print_validation(const std::string& space, const hardware::ValidationSummary& s) {
  char line[512];
  std::cout << validation_line(space, s) << "\n";
  std::snprintf(line, sizeof line,
                "measured: %.1f%% of networks from undisturbed passes; median noise (p90-p10)/median %.1f%%; "
                "predictions %.1f%% from measured entries; load average %s",
                100 * s.undisturbed_share, s.median_spread_pct, 100 * s.mean_lut_coverage, load_average().c_str());
  std::cout << line << "\n";
  if (s.excluded_overlap > 0)
    std::cout << "note: the space is too small to avoid its calibration networks: " << s.excluded_overlap
              << " of these networks were also calibrated on\n";
  if (s.waiting_share >= 0) {
    std::snprintf(line, sizeof line,
                  "while timing, the executor's thread waited for a CPU %.1f%% of the time%s", 100 * s.waiting_share,
                  s.waiting_share > 0.05 ? " (a loaded machine: passes another process disturbed are set apart "
                                           "where a network has enough others; see docs/profiling.md)"
                                         : "");
    std::cout << line << "\n";
  }
}

std::string csv_rows(const std::vector<hardware::ValidationRow>& rows, const std::vector<double>& refit,
                     const std::vector<double>& tracked) {
  std::ostringstream out;
  out << "arch,nodes,latency_ms_measured,spread_pct,latency_ms_predicted,lut_coverage,undisturbed_passes,"
         "latency_ms_predicted_refit,window,latency_ms_predicted_tracked\n";
  char buf[192];
  auto optional = [&](const std::vector<double>& v, size_t i) {
    if (i >= v.size()) return;
    std::snprintf(buf, sizeof buf, "%.6g", v[i]);
    out << buf;
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const hardware::ValidationRow& r = rows[i];
    out << '"' << r.arch << '"';
    std::snprintf(buf, sizeof buf, ",%d,%.6g,%.3g,%.6g,%.4g,%d,", r.nodes, r.measured_ms, r.spread_pct,
                  r.predicted_ms, r.lut_coverage, r.undisturbed);
    out << buf;
    optional(refit, i);
    out << "," << r.window << ",";
    optional(tracked, i);
    out << "\n";
  }
  return out.str();
}

}  // namespace

int ProfileCommand::run(const std::vector<std::string>& args) {
  std::vector<std::string> space_args;
  std::string out_dir, csv, clock = "wall";
  int threads = 0, repeats = 10, samples = 200, calibrate = 48;
  int64_t batch = 1;
  uint64_t seed = 0;
  po::options_description options("Options");
  options.add_options()
      ("space", po::value(&space_args)->composing(), "an op space (path or shipped name); repeatable (default mobilenet_tiny)")
      ("out", po::value(&out_dir), "write host.yaml and host.lut.csv here (default: the host cache, docs/profiling.md)")
      ("threads", po::value(&threads), "threads (default: all cores)")
      ("batch", po::value(&batch), "batch size the latencies are for (default 1)")
      ("repeats", po::value(&repeats), "timed passes per network measured, when profiling and when validating (default 10)")
      ("calibrate", po::value(&calibrate), "random networks the new entries are calibrated on, by least squares "
                                            "on their measured latency (default 48; 0: entries as measured)")
      ("validate", "time random networks of --space end to end and compare with the host cost model")
      ("samples", po::value(&samples), "--validate: networks (default 200)")
      ("seed", po::value(&seed), "--validate: sampling seed (default 0)")
      ("csv", po::value(&csv), "--validate: write one row per network to this CSV")
      ("clock", po::value(&clock), "wall (default) | thread-cpu: time ops and networks by the CPU time of the "
                                   "executor's thread, leaving out waits for a CPU on a loaded machine (needs --threads 1)");
  int code = kExitOk;
  auto vm = parse_args(*this, args, options, {}, "[--space S ...] [--out DIR] [--threads N] [--batch B] [--repeats R] [--calibrate N] | --validate --space S [--samples N] [--seed N] [--csv FILE]", &code);
  if (!vm) return code;
  const bool validate = vm->count("validate") > 0;
  if (threads < 0) return fail("--threads must be >= 1, got " + std::to_string(threads));
  if (vm->count("threads") && threads == 0) return fail("--threads must be >= 1, got 0");
  if (batch < 1) return fail("--batch must be >= 1, got " + std::to_string(batch));
  if (repeats < 1) return fail("--repeats must be >= 1, got " + std::to_string(repeats));
  if (calibrate < 0) return fail("--calibrate must be >= 0, got " + std::to_string(calibrate));
  if (samples < 1) return fail("--samples must be >= 1, got " + std::to_string(samples));
  if (!validate && (vm->count("samples") || vm->count("seed") || vm->count("csv")))
    return fail("--samples, --seed and --csv go with --validate");
  if (clock != "wall" && clock != "thread-cpu") return fail("--clock '" + clock + "' is not one of wall, thread-cpu");
  if (clock == "thread-cpu" && threads != 1)
    return fail("--clock thread-cpu needs --threads 1 (with more threads one thread's CPU time is not the latency)");
  if (validate && space_args.size() != 1) return fail("--validate needs exactly one --space");
  if (space_args.empty()) space_args.push_back("mobilenet_tiny");
  std::error_code ec;
  if (!out_dir.empty() && fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec))
    return fail("--out " + out_dir + " exists and is not a folder");
  if (!csv.empty()) {
    const fs::path parent = fs::path(csv).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec)) return fail("--csv: no folder " + parent.string());
  }
  // One thread count for measuring and validating (the profile is per count).
  if (threads > 0) ops::set_num_threads(threads);

  std::vector<std::unique_ptr<space::Space>> owned;
  std::vector<const space::Space*> spaces;
  for (const std::string& s : space_args) {
    auto path = resolve_space(s);
    if (!path) return kExitUsage;
    config::Diagnostics diagnostics;
    auto sp = space::load_space(path->string(), diagnostics);
    if (!sp) {
      std::cerr << diagnostics.str() << "\n";
      return kExitUsage;
    }
    spaces.push_back(sp.get());
    owned.push_back(std::move(sp));
  }

  hardware::HostProfileOptions po;
  po.threads = threads;
  po.batch = batch;
  po.repeats = repeats;
  po.out_dir = out_dir;
  po.remeasure_machine = !validate;  // validation reuses the profile it checks
  po.clock = clock == "thread-cpu" ? hardware::TimingClock::kThreadCpu : hardware::TimingClock::kWall;
  po.calibration_networks = calibrate;
  auto report = hardware::profile_host(spaces, po);
  if (!report) {
    std::cerr << "nas profile: " << report.status().message() << "\n";
    return kExitFailure;
  }
  print_profile(report.value());
  if (!validate) return kExitOk;

  auto model = hardware::make_profile_cost_model(report.value().profile, report.value().lut);
  hardware::ValidationOptions vo;
  vo.samples = samples;
  vo.seed = seed;
  vo.batch = batch;
  vo.timing.repeats = repeats;
  vo.timing.clock = po.clock;
  // Never validate on a network the table was calibrated on (this run's or
  // an earlier run's with the same setting).
  if (calibrate > 0) {
    auto calibration = hardware::calibration_networks(spaces, 0, calibrate, batch);
    if (!calibration) {
      std::cerr << "nas profile: " << calibration.status().message() << "\n";
      return kExitFailure;
    }
    for (const hardware::SampledNetwork& n : calibration.value()) vo.exclude.insert(n.arch);
  }
  // The calibration networks are also timed in the validation's own sweeps
  // (not validated on), to re-fit the calibration in the same conditions.
  if (calibrate > 0) {
    auto calibration = hardware::calibration_networks(spaces, 0, calibrate, batch);
    if (!calibration) {
      std::cerr << "nas profile: " << calibration.status().message() << "\n";
      return kExitFailure;
    }
    for (hardware::SampledNetwork& n : calibration.value()) vo.companions.push_back(std::move(n.spec));
  }
  auto run = hardware::validate_latency(*spaces[0], *model, vo);
  if (!run) {
    std::cerr << "nas profile: " << run.status().message() << "\n";
    return kExitFailure;
  }
  hardware::ValidationRun& v = run.value();
  hardware::ValidationSummary summary = hardware::summarize_validation(v.rows);
  summary.waiting_share = v.waiting_share;
  summary.excluded_overlap = v.excluded_overlap;
  if (vo.timing.clock == hardware::TimingClock::kThreadCpu) std::cout << "measured by the executor thread's CPU time (--clock thread-cpu)\n";
  std::cout << "as profiled: with the table as profiled (calibrated when it was measured):\n";
  print_validation(spaces[0]->name(), summary);
  std::vector<double> refit;    // per row, the prediction of the re-fitted table; empty: none
  std::vector<double> tracked;  // per row, the state-tracked prediction; empty: none
  // "as profiled 29.0%, state-scaled 100.0%, ...": the share within +-10% of each figure printed.
  std::string within_10 = "as profiled " + percent(summary.within_10pct);
  if (!vo.companions.empty() && v.companion_ms.size() == vo.companions.size()) {
    // The calibration networks were fitted to about 1.0 of the table when it
    // was measured, so their ratio now tells whether this machine still runs
    // at the speed it had then (2-thread speed on a shared VM can change by
    // 1.5x within minutes: docs/profiling.md).
    double sum = 0;
    std::vector<double> companion_predicted;
    for (size_t i = 0; i < vo.companions.size(); ++i) {
      companion_predicted.push_back(model->estimate(vo.companions[i]).latency_ms);
      sum += v.companion_ms[i] / companion_predicted.back();
    }
    const double state = sum / static_cast<double>(vo.companions.size());
    std::printf("machine state: the %zu calibration networks now run %.3fx the latency the table predicts "
                "for them (about 1.0 when it was measured)\n",
                vo.companions.size(), state);
    if (std::fabs(state - 1.0) > 0.10)
      log_warning("this machine's speed differs from when the table was measured; its absolute latencies "
                  "are off by about that factor (rankings hold): re-profile into a fresh folder (--out DIR) "
                  "close to its use, profile and search with --threads 1, or search with "
                  "`- host: {machine_state: rescale}`");
    // What `machine_state: rescale` does at search time: every prediction
    // times one scalar measured on the calibration networks (which are not
    // among the validated networks), their median ratio as the search-time
    // check takes it (machine_state.h).
    const double scale = hardware::state_from_ratios(v.companion_ms, companion_predicted).factor;
    std::vector<hardware::ValidationRow> rows = v.rows;
    for (hardware::ValidationRow& r : rows) r.predicted_ms *= scale;
    char line[512];
    std::snprintf(line, sizeof line,
                  "state-scaled: the table's predictions times one state factor, as machine_state: rescale takes "
                  "it once at search start (median over the calibration networks: %.3f):",
                  scale);
    const hardware::ValidationSummary scaled = hardware::summarize_validation(rows);
    std::cout << line << "\n" << validation_line(spaces[0]->name(), scaled) << "\n";
    within_10 += ", state-scaled " + percent(scaled.within_10pct);
    // What `rescale` with re-checks does: every prediction times the factor
    // of the calibration networks timed in the same window (timing group)
    // as the network, i.e. a factor measured right next to it.
    const std::vector<double> factors = hardware::window_state_factors(v.companion_window, v.companion_ms,
                                                                       companion_predicted, v.windows);
    rows = v.rows;
    for (hardware::ValidationRow& r : rows) {
      r.predicted_ms *= factors[static_cast<size_t>(r.window)];
      tracked.push_back(r.predicted_ms);
    }
    std::string list;
    for (size_t w = 0; w < factors.size() && w < 12; ++w) {
      std::snprintf(line, sizeof line, "%s%.3f", w == 0 ? "" : " ", factors[w]);
      list += line;
    }
    if (factors.size() > 12) list += " ...";
    std::snprintf(line, sizeof line,
                  "state-tracked: the table's predictions times the state factor of the calibration networks "
                  "timed in the same window, as machine_state: rescale with re-checks takes it during a search "
                  "(%d window%s, factors %s):",
                  v.windows, v.windows == 1 ? "" : "s", list.c_str());
    const hardware::ValidationSummary state_tracked = hardware::summarize_validation(rows);
    std::cout << line << "\n" << validation_line(spaces[0]->name(), state_tracked) << "\n";
    within_10 += ", state-tracked " + percent(state_tracked.within_10pct);
  }
  if (!vo.companions.empty()) {
    hardware::LatencyTable lut = report.value().lut;
    auto classes = hardware::entry_classes(vo.companions);
    for (const auto& entry : hardware::entry_classes(v.specs)) classes.insert(entry);
    const hardware::LatencyCalibration fit = hardware::fit_calibration(vo.companions, v.companion_ms, classes, lut);
    if (fit.networks >= 4) {
      auto refit_model = hardware::make_profile_cost_model(report.value().profile, lut);
      std::vector<hardware::ValidationRow> rows = v.rows;
      for (size_t i = 0; i < rows.size(); ++i) {
        rows[i].predicted_ms = refit_model->estimate(v.specs[i]).latency_ms;
        refit.push_back(rows[i].predicted_ms);
      }
      const hardware::ValidationSummary s2 = hardware::summarize_validation(rows);
      char line[512];
      std::snprintf(line, sizeof line,
                    "re-fitted: with the calibration re-fitted on the %d calibration networks timed in the same "
                    "sweeps (not validated on; per-node term %+.2f us):",
                    fit.networks, fit.per_node_us);
      std::cout << line << "\n" << validation_line(spaces[0]->name(), s2) << "\n";
      within_10 += ", re-fitted " + percent(s2.within_10pct);
    }
  }
  std::cout << spaces[0]->name() << " within +-10%: " << within_10 << "\n";
  if (!csv.empty()) {
    if (Status s = write_file_atomic(csv, csv_rows(v.rows, refit, tracked)); !s) {
      std::cerr << "nas profile: error: " << s.message() << "\n";
      return kExitFailure;
    }
    std::cout << "wrote " << csv << "\n";
  }
  return kExitOk;
}

}  // namespace nas::cli
