// `nas profile`: measures this machine (FP32 peak, bandwidth, executor
// overhead, the latency of every op configuration of the given spaces) into
// the host profile and its latency table (docs/profiling.md).
// `nas profile --validate`: times random networks of a space end to end and
// reports how well the host cost model predicts them.
#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

class ProfileCommand : public Command {
 public:
  const char* name() const override { return "profile"; }
  const char* summary() const override {
    return "measure this machine: peak FLOP/s, bandwidth, a latency table per op config; --validate it";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
