#include "nas/cli/list_command.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>

#include "nas/config/catalog.h"
#include "nas/eval/evaluator_catalog.h"
#include "nas/search/strategy_catalog.h"
#include "nas/util/paths.h"
#include "nas/util/suggest.h"
#include "ops/core/op_registry.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

void print_row(const std::string& name, const std::string& text) {
  std::cout << "  " << std::left << std::setw(24) << name << " " << text << "\n";
}

void list_catalog(std::span<const CatalogEntry> entries) {
  for (const CatalogEntry& e : entries)
    print_row(e.name, std::string(e.summary) + (e.built ? "" : " (not built yet)"));
}

// Lists every *.yaml of a data folder with a few of its top-level keys. A
// file that does not parse is listed with the reason, not skipped silently.
void list_yaml_folder(const std::string& folder, const std::vector<std::string>& keys) {
  const fs::path root = data_root();
  if (root.empty()) {
    std::cout << "  (no " << folder << "/ folder found; set NAS_HOME to the checkout)\n";
    return;
  }
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root / folder, ec))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::string text;
    try {
      YAML::Node node = YAML::LoadFile(f.string());
      for (const std::string& k : keys) {
        if (node.IsMap() && node[k] && node[k].IsScalar())
          text += (text.empty() ? "" : "  ") + k + ": " + node[k].as<std::string>();
      }
    } catch (const YAML::Exception& e) {
      text = std::string("(does not parse: ") + e.what() + ")";
    }
    print_row(f.stem().string(), text);
  }
}

}  // namespace

int ListCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string what;
  options.add_options()("what", po::value<std::string>(&what),
                        "spaces | strategies | evaluators | hardware | ops | datasets | metrics (default: all)");
  po::positional_options_description positional;
  positional.add("what", 1);
  int code = kExitOk;
  if (!parse_args(*this, args, options, positional, "[WHAT]", &code)) return code;

  const std::vector<std::pair<std::string, std::function<void()>>> sections = {
      {"spaces", [] { list_yaml_folder("search_spaces", {"kind", "description"}); }},
      {"strategies", [] { list_catalog(strategy_catalog()); }},
      {"evaluators", [] { list_catalog(evaluator_catalog()); }},
      {"hardware",
       [] {
         print_row("host", "this machine, measured by `nas profile`");
         list_yaml_folder("hardware_profiles", {"kind", "description"});
       }},
      {"ops",
       [] {
         const ops::OpRegistry& r = ops::op_registry();
         for (const std::string& n : r.names()) print_row(n, r.find(n)->summary);
       }},
      {"datasets",
       [] {
         for (const std::string& n : config::Catalog::defaults().datasets)
           print_row(n, n == "fashion_mnist" ? "Debian package dataset-fashion-mnist"
                        : n == "cifar10"     ? "binary batches from a folder (dataset.path)"
                                             : "");
       }},
      {"metrics",
       [] {
         for (const config::MetricInfo& m : config::Catalog::defaults().metrics)
           print_row(m.name, m.per_hardware ? "per hardware profile" : "");
       }},
  };
  std::vector<std::string> names;
  for (const auto& [n, f] : sections) names.push_back(n);
  if (!what.empty() && std::find(names.begin(), names.end(), what) == names.end()) {
    std::cerr << "nas list: error: unknown list '" << what << "'";
    const std::string guess = closest_name(what, names);
    if (!guess.empty()) std::cerr << " (did you mean '" << guess << "'?)";
    std::cerr << "; valid: " << join_names(names) << "\n";
    return kExitUsage;
  }
  for (const auto& [n, f] : sections) {
    if (!what.empty() && what != n) continue;
    if (what.empty()) std::cout << n << ":\n";
    f();
  }
  return kExitOk;
}

}  // namespace nas::cli
