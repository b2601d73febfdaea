// `nas extract`: write the chosen subnet of a run: arch.yaml + weights.safetensors.
// Not built yet: it says so and exits 2 (arrives with the search-engine issue).
#pragma once

#include "nas/cli/not_built_command.h"

namespace nas::cli {

class ExtractCommand : public NotBuiltCommand {
 public:
  ExtractCommand();
};

}  // namespace nas::cli
