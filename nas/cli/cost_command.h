// `nas cost`: the cost-model figures (latency, energy, peak memory, params,
// MACs, LUT coverage, feasibility) of architectures of a space on one
// hardware profile, as CSV on stdout (docs/hardware_profiles.md, "nas cost").
#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

class CostCommand : public Command {
 public:
  const char* name() const override { return "cost"; }
  const char* summary() const override {
    return "latency / energy / memory of architectures on a hardware profile (CSV)";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
