#include <iostream>
#include <sstream>

#include "nas/cli/command.h"
#include "nas/util/log.h"

namespace nas::cli {

std::optional<po::variables_map> parse_args(const Command& command,
                                            const std::vector<std::string>& args,
                                            const po::options_description& options,
                                            const po::positional_options_description& positional,
                                            const std::string& usage_line, int* exit_code) {
  po::options_description common("Common options");
  common.add_options()("help,h", "show this help")("verbose,v", "more output (debug lines)")(
      "quiet,q", "only warnings and errors");
  po::options_description all;
  all.add(options).add(common);

  auto usage = [&](std::ostream& os) {
    os << "usage: nas " << command.name() << " " << usage_line << "\n"
       << command.summary() << "\n\n";
    if (!options.options().empty()) os << options << "\n";
    os << common;
  };

  po::variables_map vm;
  auto fail = [&](const std::string& message) {
    std::cerr << "nas " << command.name() << ": error: " << message << "\n";
    usage(std::cerr);
    *exit_code = kExitUsage;
  };
  try {
    // No guessing of abbreviated flags: `--sample` must not silently mean
    // `--samples` (a typo should be an error, not a different setting).
    const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(positional).style(style).run(),
              vm);
    if (vm.count("help")) {  // before notify(): --help needs no required argument
      usage(std::cout);
      *exit_code = kExitOk;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::required_option& e) {
    std::string name = e.get_option_name();
    name.erase(0, name.find_first_not_of('-'));
    fail("missing argument " + name);
    return std::nullopt;
  } catch (const po::error& e) {
    fail(e.what());
    return std::nullopt;
  }
  if (vm.count("verbose") && vm.count("quiet")) {
    std::cerr << "nas " << command.name() << ": error: -v and -q exclude each other\n";
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  if (vm.count("verbose")) set_log_level(LogLevel::kDebug);
  if (vm.count("quiet")) set_log_level(LogLevel::kWarning);
  return vm;
}

}  // namespace nas::cli
