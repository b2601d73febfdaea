#include "nas/cli/profile_command.h"

namespace nas::cli {

ProfileCommand::ProfileCommand()
    : NotBuiltCommand("profile", "measure this machine: peak FLOP/s, bandwidth, a latency table per op config",
                      "[--space S ...] [--out DIR] [--threads N] [--batch B] [--validate]",
                      "the hardware cost-model issue") {}

}  // namespace nas::cli
