#include "nas/cli/validate_command.h"

#include <iostream>

#include "nas/cli/experiment_loading.h"

namespace nas::cli {

int ValidateCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string path;
  options.add_options()("experiment", po::value<std::string>(&path)->required(),
                        "the experiment YAML");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  int code = kExitOk;
  if (!parse_args(*this, args, options, positional, "EXPERIMENT.yaml", &code)) return code;

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
