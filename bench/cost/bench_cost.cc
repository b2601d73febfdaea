// bench_cost: how many architectures a second CostModel::estimate() costs on
// one core, over networks prebuilt once from a space (building a NetworkSpec
// is not timed: the search builds each candidate once and then estimates it
// on every profile). Cases, one line each on stdout:
//   "<case> <archs_per_s wall> <archs_per_s thread CPU time> <mean_lut_coverage>".
//   roofline        the profile with no latency table (every node analytic)
//   lut_synthetic   the same profile plus a latency table holding every
//                   signature of the networks, filled with the profile's own
//                   roofline values: NOT a measurement, it times the lookup path
//                   with every node hit (a warm LUT)
//   lut_breakdown   lut_synthetic with the per-node breakdown filled
//   host_measured   the measured host profile and LUT (nas profile), when
//                   --host PROFILE.yaml is given; coverage says how much it holds
// Usage: bench_cost --space S.yaml --profile P.yaml [--specs N] [--host HOST.yaml]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "nas/graph/architecture_builder.h"
#include "nas/hardware/profile_cost_model.h"
#include "nas/hardware/profile_loader.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"

namespace {

using namespace nas;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_cost: error: %s\n", message.c_str());
  std::exit(2);
}

struct Rate {
  double archs_per_s = 0;      // wall clock, median of samples
  double archs_per_s_cpu = 0;  // this thread's CPU time, best of samples
  double coverage = 0;
};

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

Rate time_model(const hardware::CostModel& model, const std::vector<graph::NetworkSpec>& specs,
                bool breakdown) {
  double sink = 0, coverage = 0;
  for (const graph::NetworkSpec& s : specs) coverage += model.estimate(s, breakdown).lut_coverage;
  bench::TimingOptions opt;
  opt.min_sample_s = 0.05;
  const double ms = bench::median_ms(
      [&] {
        for (const graph::NetworkSpec& s : specs) sink += model.estimate(s, breakdown).latency_ms;
      },
      opt);
  // On a shared machine the wall clock also counts time spent waiting for
  // the core; the thread's CPU time does not.
  double best_cpu_s = 1e30;
  for (int sample = 0; sample < 11; ++sample) {
    const double t0 = thread_cpu_s();
    for (int rep = 0; rep < 20; ++rep)
      for (const graph::NetworkSpec& s : specs) sink += model.estimate(s, breakdown).latency_ms;
    best_cpu_s = std::min(best_cpu_s, (thread_cpu_s() - t0) / 20);
  }
  if (sink < 0) std::puts("");  // keeps the estimates from being optimised away
  const double n = static_cast<double>(specs.size());
  return Rate{n / (ms * 1e-3), n / best_cpu_s, coverage / n};
}

}  // namespace

int main(int argc, char** argv) {
  std::string space_path, profile_path, host_path;
  int n_specs = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--space") space_path = argv[i + 1];
    else if (flag == "--profile") profile_path = argv[i + 1];
    else if (flag == "--host") host_path = argv[i + 1];
    else if (flag == "--specs") n_specs = std::atoi(argv[i + 1]);
    else die("unknown flag " + flag);
  }
  if (space_path.empty() || profile_path.empty() || n_specs < 1)
    die("usage: bench_cost --space S.yaml --profile P.yaml [--specs N] [--host HOST.yaml]");

  config::Diagnostics diags;
  const auto space = space::load_space(space_path, diags);
  if (!space) die(diags.str());
  train::Rng rng(0);
  std::vector<graph::NetworkSpec> specs;
  int64_t nodes = 0;
  for (int i = 0; i < n_specs; ++i) {
    auto arch = space->decode(space::sample_uniform(*space, rng));
    if (!arch) die(arch.status().message());
    auto spec = graph::build_network_spec(arch.value(), 1);
    if (!spec) die(spec.status().message());
    nodes += spec->size();
    specs.push_back(spec.take());
  }
  std::fprintf(stderr, "bench_cost: %d networks of %s at batch 1, %.1f nodes each on average\n",
               n_specs, space->name().c_str(), static_cast<double>(nodes) / n_specs);

  auto profile = hardware::load_hardware_profile(profile_path, diags);
  if (!profile) die(diags.str());
  const auto roofline = hardware::make_profile_cost_model(*profile, std::nullopt);

  // The synthetic warm LUT: every signature, with the roofline's own values.
  hardware::LatencyTable lut;
  for (const graph::NetworkSpec& s : specs)
    for (const hardware::NodeCost& c : roofline->estimate(s, true).breakdown)
      lut.put({s.node(c.node).signature, c.latency_ms, 0, 0, -1});
  std::fprintf(stderr, "bench_cost: synthetic LUT of %zu signatures (roofline values, not measured)\n",
               lut.size());
  const auto warm = hardware::make_profile_cost_model(*profile, lut);

  const Rate r0 = time_model(*roofline, specs, false);
  std::printf("roofline %.0f %.0f %.4f\n", r0.archs_per_s, r0.archs_per_s_cpu, r0.coverage);
  const Rate r1 = time_model(*warm, specs, false);
  std::printf("lut_synthetic %.0f %.0f %.4f\n", r1.archs_per_s, r1.archs_per_s_cpu, r1.coverage);
  const Rate r2 = time_model(*warm, specs, true);
  std::printf("lut_breakdown %.0f %.0f %.4f\n", r2.archs_per_s, r2.archs_per_s_cpu, r2.coverage);
  if (!host_path.empty()) {
    const auto host = hardware::load_profile_cost_model(host_path, diags);
    if (!host) die(diags.str());
    const Rate r3 = time_model(*host, specs, false);
    std::printf("host_measured %.0f %.0f %.4f\n", r3.archs_per_s, r3.archs_per_s_cpu, r3.coverage);
  }
  return 0;
}
