#include "nas/cli/not_built_command.h"

#include <iostream>

namespace nas::cli {

int NotBuiltCommand::run(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << "usage: nas " << name_ << " " << usage_line_ << "\n" << summary_ << "\n"
                << "(not built yet: arrives with " << arrives_with_ << ")\n";
      return kExitOk;
    }
  }
  std::cerr << "nas " << name_ << ": not built yet (arrives with " << arrives_with_ << ")\n";
  return kExitUsage;
}

}  // namespace nas::cli
