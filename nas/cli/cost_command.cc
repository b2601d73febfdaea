#include "nas/cli/cost_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "nas/config/experiment.h"
#include "nas/config/yaml_reader.h"
#include "nas/graph/architecture_builder.h"
#include "nas/hardware/load_cost_model.h"
#include "nas/hardware/profile_cost_model.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "nas/util/paths.h"
#include "nas/util/suggest.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::cerr << "nas cost: error: " << message << "\n";
  return kExitUsage;
}

// The stems of folder/*.yaml under the data root, sorted.
std::vector<std::string> shipped(const char* folder) {
  std::vector<std::string> names;
  const fs::path root = data_root();
  std::error_code ec;
  if (root.empty()) return names;
  for (const auto& e : fs::directory_iterator(root / folder, ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A --space / --hardware value: an existing file, or the name of a shipped
// one (folder/<name>.yaml under the data root). `extra` are names accepted
// besides the shipped ones (host), listed in the error.
std::optional<fs::path> resolve(const std::string& value, const char* flag, const char* what,
                                const char* folder, const std::vector<std::string>& extra = {}) {
  std::error_code ec;
  if (fs::is_regular_file(value, ec)) return fs::path(value);
  const bool looks_like_path =
      value.find('/') != std::string::npos || fs::path(value).extension() == ".yaml";
  const fs::path root = data_root();
  const fs::path named = root / folder / (value + ".yaml");
  if (!looks_like_path && !root.empty() && fs::is_regular_file(named, ec)) return named;
  std::vector<std::string> valid = extra;
  for (const std::string& s : shipped(folder)) valid.push_back(s);
  if (looks_like_path)
    fail(std::string(flag) + ": file '" + value + "' does not exist");
  else
    fail(std::string(flag) + ": " + config::unknown_name(what, std::string(what) + "s", value, valid));
  return std::nullopt;
}

// RFC 4180: quoted only when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

const char* latency_source(double coverage) {
  return coverage >= 1 ? "measured" : coverage <= 0 ? "modelled" : "mixed";
}

// The genotypes of an --archs file, one canonical string a line; blank lines
// and '#' comments are skipped. Every bad line is reported as file:line:col.
std::optional<std::vector<space::Genotype>> read_archs(const std::string& path,
                                                       const space::Space& space,
                                                       std::vector<int>* lines) {
  std::ifstream in(path);
  if (!in) {
    fail("--archs: cannot read '" + path + "'");
    return std::nullopt;
  }
  config::Diagnostics diags;
  std::vector<space::Genotype> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t last = line.find_last_not_of(" \t");
    auto g = space.parse(line.substr(first, last - first + 1));
    if (!g) {
      diags.add({path, line_no, static_cast<int>(first) + 1},
                "not an architecture of space '" + space.name() + "': " + g.status().message());
      continue;
    }
    out.push_back(g.take());
    lines->push_back(line_no);
  }
  if (!diags.empty()) {
    std::cerr << diags.str() << "\n";
    return std::nullopt;
  }
  if (out.empty()) {
    std::cerr << path << ": error: no architectures (expected one canonical string a line)\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace

int CostCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string space_arg, hardware_arg, archs_path, machine_state = "check";
  int samples = 0;
  uint64_t seed = 0;
  int64_t batch = 1;
  options.add_options()("space", po::value(&space_arg)->required(),
                        "op-space YAML, or a shipped space's name (search_spaces/NAME.yaml)")(
      "hardware", po::value(&hardware_arg)->required(),
      "hardware profile YAML, a shipped profile's name (hardware_profiles/NAME.yaml), or host")(
      "archs", po::value(&archs_path), "file of canonical architecture strings, one a line")(
      "samples", po::value(&samples), "random architectures instead of --archs (default 10)")(
      "seed", po::value(&seed), "seed of the random architectures (default 0)")(
      "batch", po::value(&batch), "batch size the figures are for (default 1)")(
      "breakdown", "one row per node of each architecture instead of one per architecture")(
      "machine-state", po::value(&machine_state),
      "--hardware host: off | check (default: time a few networks, warn when this machine runs >10% off "
      "its table) | rescale (also multiply host latencies by that factor; docs/profiling.md)");
  int code = kExitOk;
  const auto vm = parse_args(*this, args, options, {},
                             "--space S --hardware P [--archs FILE | --samples N [--seed N]] "
                             "[--batch B] [--breakdown] [--machine-state off|check|rescale]",
                             &code);
  if (!vm) return code;
  const bool breakdown = vm->count("breakdown") > 0;
  if (vm->count("archs") && vm->count("samples")) return fail("give --archs or --samples, not both");
  if (vm->count("samples") && samples < 1) return fail("--samples must be >= 1, got " + std::to_string(samples));
  if (!vm->count("archs") && !vm->count("samples")) samples = 10;
  if (batch < 1) return fail("--batch must be >= 1, got " + std::to_string(batch));
  const std::vector<std::string>& modes = config::machine_state_mode_names();
  const auto mode_it = std::find(modes.begin(), modes.end(), machine_state);
  if (mode_it == modes.end())
    return fail("--machine-state '" + machine_state + "' is not one of " + join_names(modes));
  if (vm->count("machine-state") && hardware_arg != "host")
    return fail("--machine-state goes with --hardware host (a profile file's latencies are not measured here)");

  const auto space_path = resolve(space_arg, "--space", "space", "search_spaces");
  if (!space_path) return kExitUsage;
  config::Diagnostics diags;
  const std::unique_ptr<space::Space> space = space::load_space(space_path->string(), diags);
  if (!space) {
    std::cerr << diags.str() << "\n";
    return kExitUsage;
  }

  // The genotypes first, so a bad --archs line stops before any output.
  std::vector<space::Genotype> genotypes;
  std::vector<int> lines;  // --archs line of each genotype
  if (vm->count("archs")) {
    auto read = read_archs(archs_path, *space, &lines);
    if (!read) return kExitUsage;
    genotypes = std::move(*read);
  } else {
    train::Rng rng(seed);
    for (int i = 0; i < samples; ++i) genotypes.push_back(space::sample_uniform(*space, rng));
  }

  std::unique_ptr<hardware::CostModel> model;
  hardware::HostStateReport host_state;
  if (hardware_arg == "host") {
    config::HardwareSpec host;
    host.name = "host";
    host.machine_state = static_cast<config::MachineStateMode>(mode_it - modes.begin());
    hardware::HostOptions options;
    options.batch = batch;
    options.state_report = &host_state;
    auto loaded = hardware::load_cost_model(host, {space.get()}, options);
    if (!loaded) {
      std::cerr << "nas cost: error: " << loaded.status().message() << "\n";
      return kExitFailure;
    }
    model = loaded.take();
  } else {
    const auto profile_path =
        resolve(hardware_arg, "--hardware", "hardware profile", "hardware_profiles", {"host"});
    if (!profile_path) return kExitUsage;
    model = hardware::load_profile_cost_model(*profile_path, diags);
    if (!model) {
      std::cerr << diags.str() << "\n";
      return kExitUsage;
    }
  }

  // Everything is built before the first line is printed: no partial CSV.
  std::vector<graph::NetworkSpec> specs;
  specs.reserve(genotypes.size());
  for (size_t i = 0; i < genotypes.size(); ++i) {
    const std::string where = lines.empty() ? "nas cost: error: sampled architecture "
                                            : archs_path + ":" + std::to_string(lines[i]) + ":1: error: ";
    auto arch = space->decode(genotypes[i]);
    if (!arch) {
      std::cerr << where << "does not decode: " << arch.status().message() << "\n";
      return kExitUsage;
    }
    auto spec = graph::build_network_spec(arch.value(), batch);
    if (!spec) {
      std::cerr << where << "does not build at batch " << batch << ": " << spec.status().message() << "\n";
      return kExitUsage;
    }
    specs.push_back(spec.take());
  }

  std::ostringstream out;
  if (breakdown)
    out << "arch,node,name,op,signature,latency_ms,energy_mj,latency_source,energy_source,fused\n";
  else
    out << "arch,latency_ms,energy_mj,peak_memory_bytes,params,macs,lut_coverage,feasible,"
           "latency_source,energy_source,infeasible_reason\n";
  double coverage_sum = 0;
  int infeasible = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string arch = csv_field(space->canonical_string(genotypes[i]));
    const hardware::CostEstimate e = model->estimate(specs[i], breakdown);
    coverage_sum += e.lut_coverage;
    infeasible += e.feasible ? 0 : 1;
    const char* energy_source = e.energy_measured        ? "measured"
                                : model->models_energy() ? "modelled"
                                                         : "none";
    if (breakdown) {
      for (const hardware::NodeCost& c : e.breakdown) {
        const graph::NodeSpec& n = specs[i].node(c.node);
        out << arch << ',' << c.node << ',' << csv_field(n.name) << ',' << n.op << ','
            << csv_field(n.signature) << ',' << number(c.latency_ms) << ',' << number(c.energy_mj)
            << ',' << (c.measured ? "measured" : "modelled") << ',' << energy_source << ','
            << (c.fused ? 1 : 0) << '\n';
      }
    } else {
      out << arch << ',' << number(e.latency_ms) << ',' << number(e.energy_mj) << ','
          << e.peak_memory_bytes << ',' << e.params << ',' << e.macs << ',' << number(e.lut_coverage)
          << ',' << (e.feasible ? 1 : 0) << ',' << latency_source(e.lut_coverage) << ','
          << energy_source << ',' << csv_field(e.infeasible_reason) << '\n';
    }
  }
  std::cout << out.str() << std::flush;
  if (!model->models_energy())
    std::cerr << "# nas cost: " << model->name()
              << " has no energy figures: energy_mj is 0 and energy_source 'none'\n";
  char note[256];
  std::snprintf(note, sizeof note,
                "# nas cost: %zu architectures on %s at batch %lld; mean LUT coverage %.1f%% "
                "(the rest is the modelled roofline); %d infeasible\n",
                specs.size(), model->name().c_str(), static_cast<long long>(batch),
                specs.empty() ? 0.0 : 100.0 * coverage_sum / static_cast<double>(specs.size()),
                infeasible);
  std::cerr << note;
  if (host_state.checked && host_state.mode == config::MachineStateMode::kRescale) {
    std::snprintf(note, sizeof note,
                  "# nas cost: host latencies above are the table's times %.4f, the machine state measured now "
                  "(--machine-state rescale)\n",
                  host_state.applied_factor);
    std::cerr << note;
  }
  return kExitOk;
}

}  // namespace nas::cli
