#include "nas/cli/cost_command.h"

namespace nas::cli {

CostCommand::CostCommand()
    : NotBuiltCommand("cost", "latency / energy / memory of architectures on a hardware profile (CSV)",
                      "--space S --hardware P [--archs FILE] [--samples N] [--breakdown]",
                      "the hardware cost-model issue") {}

}  // namespace nas::cli
