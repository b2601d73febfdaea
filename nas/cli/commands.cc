// The one list of `nas` subcommands.
#include "nas/cli/command.h"
#include "nas/cli/list_command.h"
#include "nas/cli/not_built_command.h"
#include "nas/cli/search_command.h"
#include "nas/cli/train_command.h"
#include "nas/cli/validate_command.h"

namespace nas::cli {

std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> c;
  c.push_back(std::make_unique<SearchCommand>());
  c.push_back(std::make_unique<ValidateCommand>());
  c.push_back(std::make_unique<NotBuiltCommand>(
      "profile", "measure this machine: peak FLOP/s, bandwidth, a latency table per op config",
      "[--space S ...] [--out DIR] [--threads N] [--batch B] [--validate]",
      "the hardware cost-model issue"));
  c.push_back(std::make_unique<NotBuiltCommand>(
      "cost", "latency / energy / memory of architectures on a hardware profile (CSV)",
      "--space S --hardware P [--archs FILE] [--samples N] [--breakdown]",
      "the hardware cost-model issue"));
  c.push_back(std::make_unique<TrainCommand>());
  c.push_back(std::make_unique<NotBuiltCommand>(
      "extract", "write the chosen subnet of a run: arch.yaml + weights.safetensors",
      "runs/NAME [--select best|pareto:K|CONSTRAINT] --out DIR [--epochs N]",
      "the search-engine issue"));
  c.push_back(std::make_unique<ListCommand>());
  return c;
}

}  // namespace nas::cli
