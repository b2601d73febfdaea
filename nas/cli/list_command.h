#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

// `nas list [WHAT]`: the spaces, strategies, evaluators, hardware profiles,
// ops, datasets and metrics this binary knows.
class ListCommand : public Command {
 public:
  const char* name() const override { return "list"; }
  const char* summary() const override {
    return "list spaces, strategies, evaluators, hardware profiles, ops, datasets, metrics";
  }
  int run(const std::vector<std::string>& args) override;
};

}  // namespace nas::cli
