// A `nas` subcommand. One class per file in nas/cli/, listed in commands.cc.
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nas::cli {

namespace po = boost::program_options;

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // the run itself failed (not the user's input)
inline constexpr int kExitUsage = 2;       // bad input: flags, YAML, files; or not built yet
inline constexpr int kExitInterrupted = 130;

class Command {
 public:
  virtual ~Command() = default;
  virtual const char* name() const = 0;
  virtual const char* summary() const = 0;
  // Runs with the arguments after the subcommand name; returns the exit code.
  // Never throws.
  virtual int run(const std::vector<std::string>& args) = 0;
};

// Every subcommand, in `nas --help` order.
std::vector<std::unique_ptr<Command>> make_commands();

// Parses a subcommand's arguments against its options (plus the common -h,
// -v, -q) and positionals, and applies -v/-q. Returns nullopt after printing
// --help (exit_code 0) or an error with the usage (exit_code 2).
std::optional<po::variables_map> parse_args(const Command& command,
                                            const std::vector<std::string>& args,
                                            const po::options_description& options,
                                            const po::positional_options_description& positional,
                                            const std::string& usage_line, int* exit_code);

}  // namespace nas::cli
