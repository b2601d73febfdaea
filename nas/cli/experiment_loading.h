// Loading an experiment for a subcommand: names checked against this
// binary's registries, every problem printed to stderr.
#pragma once

#include <optional>
#include <string>

#include "nas/config/experiment.h"

namespace nas::cli {

// The experiment at `path`, or nullopt after printing every diagnostic
// ("file:line:col: error: ...") to stderr, those of the op space it names
// included.
std::optional<config::Experiment> load_experiment_or_report(const std::string& path);

// The run folder of an experiment: its `output`, else runs/<name> under the
// current folder.
std::filesystem::path run_folder_of(const config::Experiment& experiment);

}  // namespace nas::cli
