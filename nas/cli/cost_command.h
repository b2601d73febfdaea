// `nas cost`: latency / energy / memory of architectures on a hardware profile (CSV).
// Not built yet: it says so and exits 2 (arrives with the hardware cost-model issue).
#pragma once

#include "nas/cli/not_built_command.h"

namespace nas::cli {

class CostCommand : public NotBuiltCommand {
 public:
  CostCommand();
};

}  // namespace nas::cli
