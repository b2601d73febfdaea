#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas search EXPERIMENT.yaml`: validates the experiment, prepares its run
// folder (created whole, never reused without --resume or --force) and runs
// the search. The engine itself arrives with the search-engine issue; until
// then `--dry-run` is the only form that does work.
class SearchCommand : public Command {
 public:
  const char* name() const override { return "search"; }
  const char* summary() const override {
    return "run a search from an experiment YAML into its run folder";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
