// A subcommand whose machinery is not in this binary yet: it says so in one
// line and exits 2, never printing made-up output.
#pragma once

#include "nas/cli/command.h"

namespace nas::cli {

class NotBuiltCommand : public Command {
 public:
  // `usage_line` documents the planned arguments; `arrives_with` names the
  // piece of work that builds the machinery.
  NotBuiltCommand(const char* name, const char* summary, const char* usage_line,
                  const char* arrives_with)
      : name_(name), summary_(summary), usage_line_(usage_line), arrives_with_(arrives_with) {}
  const char* name() const override { return name_; }
  const char* summary() const override { return summary_; }
  int run(const std::vector<std::string>& args) override;

 private:
  const char* name_;
  const char* summary_;
  const char* usage_line_;
  const char* arrives_with_;
};

}  // namespace nas::cli
