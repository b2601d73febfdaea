#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas search EXPERIMENT.yaml [--resume | --force] [--dry-run] [--threads N]`:
// loads the experiment, its op space, cost models (measuring the host's
// missing op latencies first), evaluator and strategy — every input error
// is reported before anything is written (exit 2) — then runs the Engine
// into the run folder: history.jsonl, pareto.csv, best/arch.yaml,
// summary.json, and a final table on stdout. Ctrl-C stops after the
// candidate (or parallel batch) in flight, writes the outputs, exits 130;
// `--resume` continues to the same result an uninterrupted run reaches.
// docs/search.md.
class SearchCommand : public Command {
 public:
  const char* name() const override { return "search"; }
  const char* summary() const override {
    return "run a search from an experiment YAML into its run folder";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
