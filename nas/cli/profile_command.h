// `nas profile`: measure this machine: peak FLOP/s, bandwidth, a latency table per op config.
// Not built yet: it says so and exits 2 (arrives with the hardware cost-model issue).
#pragma once

#include "nas/cli/not_built_command.h"

namespace nas::cli {

class ProfileCommand : public NotBuiltCommand {
 public:
  ProfileCommand();
};

}  // namespace nas::cli
