#include "nas/cli/extract_command.h"

#include "nas/cli/epoch_printer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <variant>

#include "nas/cli/experiment_loading.h"
#include "nas/config/architecture_writer.h"
#include "nas/eval/csv_line.h"
#include "nas/eval/experiment_data.h"
#include "nas/eval/model_folder.h"
#include "nas/eval/train_recipe.h"
#include "nas/graph/architecture_builder.h"
#include "nas/hardware/load_cost_model.h"
#include "nas/search/candidate_record.h"
#include "nas/search/outputs.h"
#include "nas/search/run_folder.h"
#include "nas/search/scoring.h"
#include "nas/space/space_loader.h"
#include "nas/util/log.h"
#include "nas/util/progress.h"
#include "ops/core/parallel.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;
using search::CandidateRecord;
using search::CandidateStatus;

constexpr const char* kJournal = "history.jsonl";
constexpr const char* kParetoFile = "pareto.csv";

// A failure with its exit code; the message is printed as is.
struct Failure {
  int code = kExitUsage;
  std::string message;
};

Failure usage_error(const std::string& m) { return {kExitUsage, "nas extract: error: " + m}; }

// ---- --select ------------------------------------------------------------

enum class SelectKind { kBest, kPareto, kConstraints };
enum class CompareOp { kLe, kLt, kGe, kGt, kEq };

struct Comparison {
  std::string key;  // "latency_ms@raspberry_pi4"
  CompareOp op = CompareOp::kLe;
  double value = 0;
  bool holds(double x) const {
    switch (op) {
      case CompareOp::kLe: return x <= value;
      case CompareOp::kLt: return x < value;
      case CompareOp::kGe: return x >= value;
      case CompareOp::kGt: return x > value;
      case CompareOp::kEq: return x == value;
    }
    return false;
  }
};

struct Selection {
  SelectKind kind = SelectKind::kBest;
  int64_t pareto_row = 0;  // 1-based
  std::vector<Comparison> comparisons;
  std::string text;
};

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '.' || c == '-';
}

std::optional<double> parse_double(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Comparison> parse_comparison(const std::string& part) {
  const std::string s = trim(part);
  size_t i = 0;
  while (i < s.size() && key_char(s[i])) ++i;
  Comparison c;
  c.key = s.substr(0, i);
  if (c.key.empty() || c.key.front() == '@' || c.key.back() == '@') return std::nullopt;
  static const std::pair<const char*, CompareOp> kOps[] = {
      {"<=", CompareOp::kLe}, {">=", CompareOp::kGe}, {"==", CompareOp::kEq},
      {"<", CompareOp::kLt},  {">", CompareOp::kGt}};
  const std::string rest = trim(s.substr(i));
  for (const auto& [text, op] : kOps) {
    const std::string t = text;
    if (rest.compare(0, t.size(), t) == 0) {
      const auto v = parse_double(trim(rest.substr(t.size())));
      if (!v) return std::nullopt;
      c.op = op;
      c.value = *v;
      return c;
    }
  }
  return std::nullopt;
}

std::optional<Selection> parse_selection(const std::string& text, std::string* error) {
  Selection s;
  s.text = text;
  if (text == "best") return s;
  if (text.rfind("pareto:", 0) == 0) {
    const std::string k = text.substr(7);
    char* end = nullptr;
    const long long row = std::strtoll(k.c_str(), &end, 10);
    if (k.empty() || end != k.c_str() + k.size() || row < 1) {
      *error = "--select '" + text + "': expected pareto:K with K a row number >= 1";
      return std::nullopt;
    }
    s.kind = SelectKind::kPareto;
    s.pareto_row = row;
    return s;
  }
  s.kind = SelectKind::kConstraints;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    auto c = parse_comparison(part);
    if (!c) {
      *error = "--select '" + text + "': '" + trim(part) +
               "' is not a constraint (expected best, pareto:K, or comma-separated "
               "METRIC[@HARDWARE] <=|<|>=|>|== NUMBER, e.g. \"latency_ms@raspberry_pi4<=5\")";
      return std::nullopt;
    }
    s.comparisons.push_back(*c);
  }
  if (s.comparisons.empty()) {
    *error = "--select '" + text + "': expected best, pareto:K or a constraint";
    return std::nullopt;
  }
  return s;
}

// ---- the run -------------------------------------------------------------

// Every record of the journal. The run is only read: a torn last line (a
// write a kill interrupted) is skipped with a warning, as `nas search
// --resume` would drop it; any earlier bad line is an error at file:line.
std::variant<std::vector<CandidateRecord>, Failure> read_history(const fs::path& path,
                                                                 const space::Space& space) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Failure{kExitUsage, path.string() +
                                   ": error: failed to open the run's journal (has the search "
                                   "evaluated any candidate?)"};
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  std::vector<CandidateRecord> history;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string where = path.string() + ":" + std::to_string(i + 1);
    auto record = search::from_json_line(lines[i]);
    std::string problem;
    if (!record) {
      problem = "malformed journal line: " + record.status().message();
    } else if (!space.valid(record.value().genotype)) {
      problem = "genotype of candidate " + std::to_string(record.value().id) +
                " does not fit space " + space.name();
    }
    if (problem.empty()) {
      history.push_back(record.take());
      continue;
    }
    if (i + 1 == lines.size() && !record) {
      log_warning(where + ": skipping a torn last line (" + problem + ")");
      break;
    }
    return Failure{kExitUsage, where + ": error: " + problem};
  }
  if (history.empty()) return Failure{kExitUsage, path.string() + ": error: no candidates in the journal"};
  return history;
}

bool usable(const CandidateRecord& r) { return r.status == CandidateStatus::kOk && r.feasible; }

// The candidate id in row `row` (1-based) of pareto.csv.
std::variant<int64_t, Failure> pareto_row_id(const fs::path& path, int64_t row) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Failure{kExitUsage, path.string() +
                                   ": error: failed to open the run's Pareto front (written when "
                                   "the search ends; use --select best on an unfinished run)"};
  std::string line;
  int line_no = 0;
  int id_column = -1;
  int64_t rows = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    eval::CsvError error;
    auto fields = eval::split_csv_line(line, &error);
    const std::string at = path.string() + ":" + std::to_string(line_no) + ":";
    if (!fields)
      return Failure{kExitUsage, at + std::to_string(error.column) + ": error: " + error.message};
    if (id_column < 0) {
      for (size_t c = 0; c < fields->size(); ++c)
        if ((*fields)[c].text == "id") id_column = static_cast<int>(c);
      if (id_column < 0) return Failure{kExitUsage, at + "1: error: no 'id' column in the header"};
      continue;
    }
    if (++rows != row) continue;
    if (static_cast<int>(fields->size()) <= id_column)
      return Failure{kExitUsage, at + "1: error: the row has no 'id' field"};
    const eval::CsvField& f = (*fields)[id_column];
    char* end = nullptr;
    const long long id = std::strtoll(f.text.c_str(), &end, 10);
    if (f.text.empty() || end != f.text.c_str() + f.text.size() || id < 0)
      return Failure{kExitUsage, at + std::to_string(f.column) + ": error: 'id' is '" + f.text +
                                     "' (expected a candidate id)"};
    return static_cast<int64_t>(id);
  }
  return usage_error("--select pareto:" + std::to_string(row) + ": " + path.string() + " has " +
                     std::to_string(rows) + " row" + (rows == 1 ? "" : "s"));
}

// The index into `history` of the candidate `selection` picks.
std::variant<size_t, Failure> select_candidate(const Selection& selection,
                                               const std::vector<CandidateRecord>& history,
                                               const config::Experiment& experiment,
                                               const fs::path& run) {
  switch (selection.kind) {
    case SelectKind::kBest: {
      // The engine's own ranking (scalarisation, constraints, ties to the
      // lower id), recomputed from the journal so that an interrupted run
      // without best/arch.yaml can be extracted too.
      const search::RunSummary summary = search::summarize(history, search::Scorer(experiment));
      if (!summary.best)
        return Failure{kExitUsage, "nas extract: error: no feasible candidate in " +
                                       (run / kJournal).string() + " (" +
                                       std::to_string(summary.failed) + " failed, " +
                                       std::to_string(summary.skipped) + " skipped of " +
                                       std::to_string(history.size()) + ")"};
      return *summary.best;
    }
    case SelectKind::kPareto: {
      auto id = pareto_row_id(run / kParetoFile, selection.pareto_row);
      if (auto* f = std::get_if<Failure>(&id)) return *f;
      for (size_t i = 0; i < history.size(); ++i)
        if (history[i].id == std::get<int64_t>(id)) return i;
      return Failure{kExitUsage, "nas extract: error: " + (run / kParetoFile).string() +
                                     " names candidate " + std::to_string(std::get<int64_t>(id)) +
                                     ", which is not in " + (run / kJournal).string()};
    }
    case SelectKind::kConstraints:
      break;
  }
  // Every key must be a metric the run recorded, so a typo is an error
  // rather than an empty selection.
  std::set<std::string> keys;
  for (const CandidateRecord& r : history)
    for (const auto& [k, v] : r.metrics) keys.insert(k);
  for (const Comparison& c : selection.comparisons) {
    if (keys.count(c.key)) continue;
    std::string known;
    for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
    return usage_error("--select '" + selection.text + "': the run has no metric '" + c.key +
                       "' (it has " + known + ")");
  }
  std::optional<size_t> pick;
  for (size_t i = 0; i < history.size(); ++i) {
    const CandidateRecord& r = history[i];
    if (!usable(r)) continue;
    bool ok = true;
    for (const Comparison& c : selection.comparisons) {
      const auto it = r.metrics.find(c.key);
      ok = ok && it != r.metrics.end() && !std::isnan(it->second) && c.holds(it->second);
    }
    const auto acc = r.metrics.find("accuracy");
    if (!ok || acc == r.metrics.end() || std::isnan(acc->second)) continue;
    if (!pick || acc->second > history[*pick].metrics.at("accuracy")) pick = i;
  }
  if (!pick)
    return usage_error("--select '" + selection.text +
                       "': no feasible candidate of the run satisfies it");
  return *pick;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}


struct Options {
  fs::path run;
  std::string select = "best";
  fs::path out;
  int epochs = 3;
  int64_t train_subset = 0;
  bool force = false;
};

int extract(const Options& o) {
  auto fail = [](const Failure& f) {
    std::cerr << f.message << "\n";
    return f.code;
  };
  if (o.epochs < 1) return fail(usage_error("--epochs must be >= 1, got " + std::to_string(o.epochs)));
  if (o.train_subset < 0) return fail(usage_error("--train-subset must be >= 0"));
  if (o.out.empty()) return fail(usage_error("--out must name a folder"));
  std::string select_error;
  const auto selection = parse_selection(o.select, &select_error);
  if (!selection) return fail(usage_error(select_error));
  if (!fs::is_directory(o.run) || !fs::exists(o.run / kRunConfigFile))
    return fail(usage_error(o.run.string() + " is not a run folder (expected " +
                            (o.run / kRunConfigFile).string() + ", written by nas search)"));
  if (fs::exists(o.out) && !o.force)
    return fail(usage_error("output folder " + o.out.string() + " exists (use --force to replace it)"));

  const auto experiment = load_experiment_or_report((o.run / kRunConfigFile).string());
  if (!experiment) return kExitUsage;
  config::Diagnostics diagnostics;
  const auto space = space::load_space(experiment->space.value.string(), diagnostics);
  if (!space) return fail({kExitUsage, diagnostics.str()});

  auto history = read_history(o.run / kJournal, *space);
  if (auto* f = std::get_if<Failure>(&history)) return fail(*f);
  const auto& records = std::get<std::vector<CandidateRecord>>(history);
  auto picked = select_candidate(*selection, records, *experiment, o.run);
  if (auto* f = std::get_if<Failure>(&picked)) return fail(*f);
  const CandidateRecord& chosen = records[std::get<size_t>(picked)];

  auto decoded = space->decode(chosen.genotype);
  if (!decoded)
    return fail({kExitFailure, "nas extract: error: failed to decode candidate " +
                                   std::to_string(chosen.id) + ": " + decoded.status().message()});
  config::Architecture arch = decoded.take();
  arch.name.value = experiment->name.value + "_candidate_" + std::to_string(chosen.id);
  auto spec1 = graph::build_network_spec(arch, 1);
  if (!spec1) return fail({kExitFailure, "nas extract: error: " + spec1.status().message()});

  std::cout << "candidate " << chosen.id << " of " << o.run.string() << " (--select "
            << selection->text << "): " << chosen.arch << "\n  search:";
  for (const auto& [k, v] : chosen.metrics) std::cout << "  " << k << " " << number(v);
  std::cout << std::endl;

  // The cost models first: they are quick (host's LUT is cached by the
  // search) and a broken profile should stop us before minutes of training.
  struct Cost {
    std::string hardware;
    hardware::CostEstimate estimate;
    bool models_energy = true;  // false: energy_mj is unknown (the measured host)
    hardware::HostStateReport host_state;  // the host's machine-state check, if any
  };
  std::vector<Cost> costs;
  for (const config::HardwareSpec& hw : experiment->hardware) {
    hardware::HostOptions host;
    host.show_progress = true;
    hardware::HostStateReport state;
    host.state_report = &state;
    auto model = hardware::load_cost_model(hw, {space.get()}, host);
    if (!model) return fail({kExitUsage, model.status().message()});
    costs.push_back({hw.name, model.value()->estimate(spec1.value()), model.value()->models_energy(), state});
  }

  // Data: the whole published training set (or a seeded subset), tested on
  // the whole test set; resized when the candidate's resolution differs.
  const uint64_t seed = static_cast<uint64_t>(experiment->seed.value);
  auto data_options = eval::retrain_data_options(experiment->dataset, o.train_subset, seed);
  if (!data_options) return fail({kExitUsage, data_options.status().message()});
  data_options.value().resize_height = arch.height;
  data_options.value().resize_width = arch.width;
  auto data = train::prepare_data(data_options.value());
  if (!data) return fail({kExitUsage, "nas extract: error: " + data.status().message()});
  const train::Dataset& train_set = data.value().splits.train;
  const train::Dataset& test_set = data.value().splits.test;
  if (train_set.channels != arch.channels)
    return fail(usage_error("candidate input has " + std::to_string(arch.channels) +
                            " channels but " + train_set.name + " images have " +
                            std::to_string(train_set.channels)));

  eval::TrainRecipe recipe;  // `nas train`'s defaults, for runs without a train evaluator
  if (const auto* t = std::get_if<config::TrainConfig>(&experiment->evaluator.config))
    recipe = eval::recipe_from_config(*t, seed);
  recipe.epochs = o.epochs;
  recipe.seed = seed;
  log_info("retraining " + arch.name.value + " (" + std::to_string(spec1.value().param_count()) +
           " parameters) for " + std::to_string(o.epochs) + " epoch(s) on " +
           std::to_string(train_set.size()) + " " + experiment->dataset.name.value + " images, " +
           std::to_string(ops::num_threads()) + " threads");
  EpochPrinter printer(
      o.epochs, std::max<int64_t>(1, train_set.size() / std::min<int64_t>(recipe.batch_size, train_set.size())));
  auto model = eval::train_architecture(arch, train_set, recipe, &printer);
  if (!model) return fail({kExitFailure, "nas extract: " + model.status().message()});
  auto test = model.value().trainer->evaluate(test_set);
  if (!test) return fail({kExitFailure, "nas extract: error: " + test.status().message()});

  char line[256];
  std::snprintf(line, sizeof line, "test: accuracy %.2f%%  loss %.4f  (%lld images)",
                100 * test.value().accuracy, test.value().loss,
                static_cast<long long>(test.value().examples));
  std::cout << line;
  if (const auto it = chosen.metrics.find("accuracy"); it != chosen.metrics.end())
    std::cout << "   search (valid, short training): " << number(100 * it->second) << "%";
  std::cout << "\n";

  nlohmann::ordered_json cost_json = nlohmann::ordered_json::object();
  if (!costs.empty())
    std::cout << "cost (batch 1; latency and energy modelled from each profile, host's from "
                 "latencies measured on this machine):\n";
  for (const Cost& cost : costs) {
    const std::string& hw = cost.hardware;
    const hardware::CostEstimate& c = cost.estimate;
    const auto search_latency = chosen.metrics.find(search::metric_key("latency_ms", hw));
    std::snprintf(line, sizeof line,
                  "  %-16s latency_ms %-10s energy_mj %-10s peak_memory_bytes %-10lld params "
                  "%-8lld macs %lld%s",
                  hw.c_str(), number(c.latency_ms).c_str(),
                  cost.models_energy ? number(c.energy_mj).c_str() : "-",
                  static_cast<long long>(c.peak_memory_bytes), static_cast<long long>(c.params),
                  static_cast<long long>(c.macs), c.feasible ? "" : "  (does not fit)");
    std::cout << line;
    if (search_latency != chosen.metrics.end())
      std::cout << "  (search: latency_ms " << number(search_latency->second) << ")";
    std::cout << "\n";
    nlohmann::ordered_json j;
    j["latency_ms"] = c.latency_ms;
    // null: the profile has no energy figures (not "free").
    j["energy_mj"] = cost.models_energy ? nlohmann::ordered_json(c.energy_mj) : nullptr;
    j["energy_measured"] = c.energy_measured;
    j["peak_memory_bytes"] = c.peak_memory_bytes;
    j["params"] = c.params;
    j["macs"] = c.macs;
    if (cost.host_state.checked) {  // the host's latency is the table's times applied_factor
      j["machine_state"] = config::machine_state_mode_name(cost.host_state.mode);
      j["machine_state_factor"] = cost.host_state.state.factor;
      j["latency_scale"] = cost.host_state.applied_factor;
    }
    j["lut_coverage"] = c.lut_coverage;
    j["feasible"] = c.feasible;
    if (!c.feasible) j["infeasible_reason"] = c.infeasible_reason;
    cost_json[hw] = j;
  }

  nlohmann::ordered_json metrics;
  metrics["run"] = o.run.string();
  metrics["candidate"] = chosen.id;
  metrics["arch"] = chosen.arch;
  metrics["select"] = selection->text;
  metrics["dataset"] = experiment->dataset.name.value;
  metrics["epochs"] = o.epochs;
  metrics["train_examples"] = train_set.size();
  metrics["seed"] = seed;
  metrics["threads"] = ops::num_threads();
  metrics["test_accuracy"] = test.value().accuracy;
  metrics["test_loss"] = test.value().loss;
  metrics["test_examples"] = test.value().examples;
  metrics["train_seconds"] = model.value().train_seconds;
  nlohmann::ordered_json search_metrics = nlohmann::ordered_json::object();
  for (const auto& [k, v] : chosen.metrics)
    search_metrics[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
  metrics["search_metrics"] = search_metrics;
  metrics["cost"] = cost_json;
  nlohmann::ordered_json epochs = nlohmann::ordered_json::array();
  for (const auto& e : model.value().epochs)
    epochs.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"train_accuracy", e.accuracy},
                      {"images_per_s", e.images_per_s}, {"seconds", e.seconds}});
  metrics["history"] = epochs;

  const std::string arch_yaml = "# Written by nas extract: candidate " + std::to_string(chosen.id) +
                                " of " + o.run.string() + " (" + chosen.arch + ")\n" +
                                config::write_architecture(arch);
  Status s = eval::save_model_folder(o.out, o.force, arch_yaml, metrics.dump(2) + "\n",
                                     *model.value().trainer,
                                     {{"architecture", arch.name.value}, {"format", "nas"}});
  if (!s) return fail({kExitFailure, "nas extract: error: " + s.message()});
  std::cout << "saved " << o.out.string() << "/{arch.yaml, weights.safetensors, metrics.json}\n";
  return kExitOk;
}

}  // namespace

int ExtractCommand::run(const std::vector<std::string>& args) {
  Options o;
  std::string run, out;
  po::options_description options("Options");
  options.add_options()
      ("run", po::value(&run)->required(), "the run folder (runs/NAME)")
      ("select", po::value(&o.select),
       "best (default) | pareto:K (row K of pareto.csv) | constraints, e.g. "
       "\"latency_ms@raspberry_pi4<=5\": the most accurate feasible candidate meeting them")
      ("out", po::value(&out)->required(), "write arch.yaml, weights.safetensors, metrics.json here")
      ("epochs", po::value(&o.epochs), "epochs of retraining (default 3)")
      ("train-subset", po::value(&o.train_subset),
       "retrain on N images of a seeded permutation of the training set (default 0: all)")
      ("force", "replace an existing --out folder");
  po::positional_options_description positional;
  positional.add("run", 1);
  int code = kExitOk;
  auto vm = parse_args(*this, args, options, positional,
                       "runs/NAME [--select best|pareto:K|CONSTRAINTS] --out DIR [--epochs N]", &code);
  if (!vm) return code;
  o.run = run;
  o.out = out;
  o.force = vm->count("force") > 0;
  return extract(o);
}

}  // namespace nas::cli
