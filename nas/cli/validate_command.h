#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas validate FILE.yaml`: checks an experiment and everything it names, an
// op space (validate_space.h) or an architecture file; prints every problem
// as file:line:col and exits 2, or a summary and 0.
class ValidateCommand : public Command {
 public:
  const char* name() const override { return "validate"; }
  const char* summary() const override { return "check an experiment, op-space, architecture or hardware-profile YAML"; }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
