// The `nas` binary: dispatches to one subcommand. No exception escapes main.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "nas/cli/command.h"
#include "nas/util/suggest.h"
#include "nas/util/version.h"

namespace {

void print_usage(std::ostream& os, const std::vector<std::unique_ptr<nas::cli::Command>>& commands) {
  os << "usage: nas <command> [options] [args]\n"
        "       nas --version | --help\n\n"
        "Hardware-aware neural architecture search.\n\ncommands:\n";
  for (const auto& c : commands) {
    os << "  " << c->name() << std::string(10 - std::string(c->name()).size(), ' ') << c->summary()
       << "\n";
  }
  os << "\n'nas <command> --help' shows a command's options.\n";
}

int run(int argc, char** argv) {
  using namespace nas::cli;
  const auto commands = make_commands();
  if (argc < 2) {
    print_usage(std::cerr, commands);
    return kExitUsage;
  }
  const std::string first = argv[1];
  if (first == "--version") {
    std::cout << "nas " << nas::version_string() << "\n";
    return kExitOk;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(std::cout, commands);
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& c : commands) {
    if (first == c->name()) return c->run(std::vector<std::string>(argv + 2, argv + argc));
    names.push_back(c->name());
  }
  if (!first.empty() && first[0] == '-') {
    std::cerr << "nas: error: unknown option '" << first << "'\n";
  } else {
    std::cerr << "nas: error: unknown command '" << first << "'";
    const std::string guess = nas::closest_name(first, names);
    if (!guess.empty()) std::cerr << " (did you mean '" << guess << "'?)";
    std::cerr << "\n";
  }
  print_usage(std::cerr, commands);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nas: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "nas: internal error: unknown exception\n";
  }
  return nas::cli::kExitFailure;
}
