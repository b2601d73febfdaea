#include "nas/cli/search_command.h"

#include <iostream>

#include "nas/cli/experiment_loading.h"
#include "nas/config/experiment_writer.h"
#include "nas/search/run_folder.h"
#include "nas/search/strategy_catalog.h"

namespace nas::cli {

int SearchCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string path;
  options.add_options()("experiment", po::value<std::string>(&path)->required(),
                        "the experiment YAML")(
      "resume", "continue the run in the experiment's run folder")(
      "force", "replace an existing run folder")(
      "dry-run", "validate and prepare the run folder (resolved config), search nothing");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  int code = kExitOk;
  auto vm = parse_args(*this, args, options, positional, "EXPERIMENT.yaml [--resume | --force] [--dry-run]",
                       &code);
  if (!vm) return code;
  const bool resume = vm->count("resume") > 0, force = vm->count("force") > 0;
  const bool dry_run = vm->count("dry-run") > 0;
  if (resume && force) {
    std::cerr << "nas search: error: --resume and --force exclude each other\n";
    return kExitUsage;
  }

  const auto experiment = load_experiment_or_report(path);
  if (!experiment) return kExitUsage;
  const std::filesystem::path run = run_folder_of(*experiment);
  const RunFolderMode mode =
      resume ? RunFolderMode::kResume : force ? RunFolderMode::kForce : RunFolderMode::kCreate;

  // The engine is not in this binary yet: say so before writing anything,
  // unless the user asked only to prepare the run folder.
  if (!dry_run) {
    if (mode == RunFolderMode::kCreate && std::filesystem::exists(run)) {
      std::cerr << "nas search: error: run folder " << run.string()
                << " exists (use --resume to continue that run or --force to replace it)\n";
      return kExitUsage;
    }
    std::cerr << "nas search: the search engine is not built yet (arrives with the search-engine "
                 "issue); `nas search --dry-run` prepares the run folder\n";
    return kExitUsage;
  }
  const std::string resolved = config::write_resolved_experiment(*experiment, run);
  if (Status s = prepare_run_folder(run, mode, {{kRunConfigFile, resolved}}); !s) {
    std::cerr << "nas search: error: " << s.message() << "\n";
    return kExitUsage;
  }
  std::cout << (resume ? "checked run folder " : "prepared run folder ") << run.string()
            << " (dry run: resolved config in " << (run / kRunConfigFile).string()
            << ", no candidates evaluated)\n";
  return kExitOk;
}

}  // namespace nas::cli
