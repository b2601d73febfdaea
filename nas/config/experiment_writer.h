// Writes an Experiment back to YAML with every default filled in and every
// path absolute: the "resolved config" a run folder keeps, so a run can be
// resumed or reproduced without the original files' folders.
#pragma once

#include <string>

#include "nas/config/experiment.h"

namespace nas::config {

// `run_folder` is written as the `output` key. The result loads back with
// load_experiment() into an equal Experiment (paths aside, which are absolute).
std::string write_resolved_experiment(const Experiment& experiment,
                                      const std::filesystem::path& run_folder);

}  // namespace nas::config
