// The one list of `nas` subcommands.
#include "nas/cli/command.h"
#include "nas/cli/cost_command.h"
#include "nas/cli/extract_command.h"
#include "nas/cli/list_command.h"
#include "nas/cli/profile_command.h"
#include "nas/cli/search_command.h"
#include "nas/cli/train_command.h"
#include "nas/cli/validate_command.h"

namespace nas::cli {

std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> c;
  c.push_back(std::make_unique<SearchCommand>());
  c.push_back(std::make_unique<ValidateCommand>());
  c.push_back(std::make_unique<ProfileCommand>());
  c.push_back(std::make_unique<CostCommand>());
  c.push_back(std::make_unique<TrainCommand>());
  c.push_back(std::make_unique<ExtractCommand>());
  c.push_back(std::make_unique<ListCommand>());
  return c;
}

}  // namespace nas::cli
