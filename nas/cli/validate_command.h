#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas validate EXPERIMENT.yaml`: checks an experiment and everything it
// names; prints every problem as file:line:col and exits 2, or a summary and 0.
class ValidateCommand : public Command {
 public:
  const char* name() const override { return "validate"; }
  const char* summary() const override { return "check an experiment YAML and the files it names"; }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
