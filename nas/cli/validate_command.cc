#include "nas/cli/validate_command.h"

#include <iostream>

#include "nas/cli/experiment_loading.h"
#include "nas/cli/validate_space.h"
#include "nas/config/architecture.h"
#include "nas/graph/architecture_builder.h"
#include "nas/hardware/profile_loader.h"

#include <yaml-cpp/yaml.h>

namespace nas::cli {
namespace {

enum class YamlKind { kExperiment, kSpace, kArchitecture, kHardwareProfile };

// Spaces have a top-level `kind`, architectures `nodes`; anything else
// (including a file that does not parse) is validated as an experiment, whose
// loader reports the problem.
YamlKind sniff_yaml_kind(const std::string& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    // Profiles have `compute` and a device kind; spaces a space kind.
    if (root.IsMap() && root["compute"]) return YamlKind::kHardwareProfile;
    if (root.IsMap() && root["kind"] && root["kind"].IsScalar()) {
      const std::string kind = root["kind"].Scalar();
      if (kind == "cpu" || kind == "gpu" || kind == "npu" || kind == "mcu")
        return YamlKind::kHardwareProfile;
    }
    if (root.IsMap() && root["kind"]) return YamlKind::kSpace;
    if (root.IsMap() && root["nodes"]) return YamlKind::kArchitecture;
  } catch (const YAML::Exception&) {
  }
  return YamlKind::kExperiment;
}

int validate_architecture(const std::string& path) {
  config::Diagnostics diagnostics;
  auto arch = config::load_architecture(path, ops::op_registry().names(), diagnostics);
  if (!arch) {
    std::cerr << diagnostics.str() << "\n";
    return kExitUsage;
  }
  auto spec = graph::build_network_spec(*arch, 1);
  if (!spec) {
    std::cerr << spec.status().message() << "\n";
    return kExitUsage;
  }
  std::cout << path << ": valid architecture '" << arch->name.value << "': " << arch->nodes.size()
            << " nodes, " << spec->param_count() << " params, " << spec->total_cost().macs
            << " MACs per image, output " << spec->shape(spec->outputs()[0]).str() << " at batch 1\n";
  return kExitOk;
}

int validate_hardware_profile(const std::string& path) {
  config::Diagnostics diagnostics;
  auto p = hardware::load_hardware_profile(path, diagnostics);
  if (!p) {
    std::cerr << diagnostics.str() << "\n";
    return kExitUsage;
  }
  const char* kinds[] = {"cpu", "gpu", "npu", "mcu"};
  std::cout << path << ": valid hardware profile '" << p->name << "' ("
            << kinds[static_cast<int>(p->kind)] << "), "
            << (p->lut.empty() ? "no latency table: every figure is the modelled roofline"
                               : "latency table " + p->lut.string())
            << "\n";
  return kExitOk;
}

}  // namespace

int ValidateCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string path;
  int samples = 100;
  uint64_t seed = 0;
  options.add_options()("file", po::value<std::string>(&path)->required(),
                        "an experiment, op-space, architecture or hardware-profile YAML")(
      "samples", po::value(&samples), "spaces: random architectures to cost (default 100)")(
      "seed", po::value(&seed), "spaces: seed of the samples (default 0)");
  po::positional_options_description positional;
  positional.add("file", 1);
  int code = kExitOk;
  if (!parse_args(*this, args, options, positional, "EXPERIMENT.yaml | SPACE.yaml | ARCH.yaml | PROFILE.yaml", &code))
    return code;
  if (samples < 0) {
    std::cerr << "nas validate: error: --samples must be >= 0\n";
    return kExitUsage;
  }
  switch (sniff_yaml_kind(path)) {
    case YamlKind::kSpace: return validate_space(path, samples, seed);
    case YamlKind::kArchitecture: return validate_architecture(path);
    case YamlKind::kHardwareProfile: return validate_hardware_profile(path);
    case YamlKind::kExperiment: break;
  }

  const auto experiment = load_experiment_or_report(path);
  if (!experiment) return kExitUsage;
  const config::Experiment& e = *experiment;
  std::cout << path << ": valid\n"
            << "  name:       " << e.name.value << " (run folder " << run_folder_of(e).string() << ")\n"
            << "  space:      " << e.space.value.string() << "\n"
            << "  dataset:    " << e.dataset.name.value << "\n"
            << "  hardware:   ";
  for (size_t i = 0; i < e.hardware.size(); ++i) std::cout << (i ? ", " : "") << e.hardware[i].name;
  std::cout << (e.hardware.empty() ? "(none)\n" : "\n")
            << "  strategy:   " << config::strategy_name(e.strategy.config) << "\n"
            << "  evaluator:  " << config::evaluator_name(e.evaluator.config) << "\n"
            << "  objectives: " << e.objectives.size() << ", constraints: " << e.constraints.size()
            << "\n";
  return kExitOk;
}

}  // namespace nas::cli
