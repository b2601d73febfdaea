#include "nas/cli/search_command.h"

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "nas/cli/experiment_loading.h"
#include "nas/config/experiment_writer.h"
#include "nas/eval/evaluator.h"
#include "nas/hardware/load_cost_model.h"
#include "nas/hardware/profiler/machine_state.h"
#include "nas/search/engine.h"
#include "nas/search/journal.h"
#include "nas/search/outputs.h"
#include "nas/search/run_folder.h"
#include "nas/search/scoring.h"
#include "nas/search/strategy.h"
#include "nas/space/space_loader.h"
#include "nas/util/log.h"
#include "nas/util/progress.h"
#include "ops/core/parallel.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};

// First Ctrl-C: finish the candidate in flight, write the outputs. Second:
// leave at once (the journal is valid after any kill; --resume continues).
extern "C" void on_sigint(int) {
  if (g_interrupted.exchange(true)) ::_exit(kExitInterrupted);
  static const char kMsg[] =
      "\ninterrupted: finishing the candidate in flight (Ctrl-C again to stop at once)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
}

// Everything a search needs, built before anything is written.
struct Inputs {
  std::unique_ptr<space::Space> space;
  std::vector<std::unique_ptr<hardware::CostModel>> cost_models;
  std::unique_ptr<eval::Evaluator> evaluator;
  std::unique_ptr<search::Strategy> strategy;
  // The host's machine-state check (hardware/profiler/machine_state.h), when
  // the experiment has a host entry and did not turn it off.
  std::optional<hardware::HostStateReport> host_state;
};

// Every check of the host's machine state (the one at the start of each
// search session, and the re-checks the host entry schedules) appends one
// line here, saying which candidate it applies from, so that a run's host
// latencies can be explained (and, under machine_state: rescale,
// reproduced: candidate k's host latency is the table's times the
// applied_factor of the last line, in file order, whose from_candidate is
// <= k). Not part of the deterministic outputs.
constexpr const char* kMachineStateFile = "machine_state.jsonl";

Status append_machine_state(const fs::path& run, const hardware::MachineStateCheck& check,
                            config::MachineStateMode mode) {
  std::ofstream out(run / kMachineStateFile, std::ios::app);
  out << hardware::machine_state_record(check, mode, ops::num_threads()) << "\n" << std::flush;
  if (!out) return Status::error("failed to write " + (run / kMachineStateFile).string());
  return Status::ok();
}

// Messages about the user's files already read "file:line:col: error: ...";
// others get the command's prefix.
int report(const std::string& message) {
  if (message.find("error:") == std::string::npos) std::cerr << "nas search: error: ";
  std::cerr << message << (message.empty() || message.back() == '\n' ? "" : "\n");
  return kExitUsage;
}

std::optional<Inputs> build_inputs(const config::Experiment& e, int threads, bool show_progress,
                                   int64_t first_candidate, int* code) {
  Inputs in;
  config::Diagnostics diagnostics;
  in.space = space::load_space(e.space.value.string(), diagnostics);
  if (!in.space) {
    *code = report(diagnostics.str());
    return std::nullopt;
  }
  // Cheapest first: the strategy, then the evaluator (loads its data or
  // table), then the cost models (the host's may measure for minutes).
  search::StrategyContext sc{in.space.get(), static_cast<uint64_t>(e.seed.value),
                             static_cast<int>(e.objectives.size())};
  auto strategy = search::make_strategy(e.strategy.config, sc);
  if (!strategy) {
    *code = report(strategy.status().message());
    return std::nullopt;
  }
  in.strategy = strategy.take();
  eval::EvaluatorContext ec{&e, in.space.get(), show_progress};
  auto evaluator = eval::make_evaluator(ec);
  if (!evaluator) {
    *code = report(evaluator.status().message());
    return std::nullopt;
  }
  in.evaluator = evaluator.take();
  hardware::HostOptions host;
  host.threads = threads;
  host.show_progress = show_progress;
  host.first_candidate = first_candidate;
  for (const config::HardwareSpec& h : e.hardware) {
    hardware::HostStateReport state;
    host.state_report = &state;
    auto model = hardware::load_cost_model(h, {in.space.get()}, host);
    if (!model) {
      *code = report(model.status().message());
      return std::nullopt;
    }
    in.cost_models.push_back(model.take());
    if (state.checked) in.host_state = state;
  }
  return in;
}

}  // namespace

int SearchCommand::run(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string path;
  int threads = 0;
  options.add_options()("experiment", po::value<std::string>(&path)->required(),
                        "the experiment YAML")(
      "resume", "continue the run in the experiment's run folder")(
      "force", "replace an existing run folder")(
      "dry-run", "validate and prepare the run folder (resolved config), search nothing")(
      "threads", po::value<int>(&threads), "worker threads (default: all cores)");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  int code = kExitOk;
  auto vm = parse_args(*this, args, options, positional,
                       "EXPERIMENT.yaml [--resume | --force] [--dry-run] [--threads N]", &code);
  if (!vm) return code;
  const bool resume = vm->count("resume") > 0, force = vm->count("force") > 0;
  const bool dry_run = vm->count("dry-run") > 0;
  if (resume && force) {
    std::cerr << "nas search: error: --resume and --force exclude each other\n";
    return kExitUsage;
  }
  if (vm->count("threads") && threads < 1) {
    std::cerr << "nas search: error: --threads: expected an integer >= 1, got " << threads << "\n";
    return kExitUsage;
  }
  if (threads > 0) ops::set_num_threads(threads);
  const bool show_progress = log_level() <= LogLevel::kInfo;

  const auto experiment = load_experiment_or_report(path);
  if (!experiment) return kExitUsage;
  const fs::path run = run_folder_of(*experiment);
  const RunFolderMode mode =
      resume ? RunFolderMode::kResume : force ? RunFolderMode::kForce : RunFolderMode::kCreate;
  const std::string resolved = config::write_resolved_experiment(*experiment, run);

  if (dry_run) {
    if (Status s = prepare_run_folder(run, mode, {{kRunConfigFile, resolved}}); !s) {
      std::cerr << "nas search: error: " << s.message() << "\n";
      return kExitUsage;
    }
    std::cout << (resume ? "checked run folder " : "prepared run folder ") << run.string()
              << " (dry run: resolved config in " << (run / kRunConfigFile).string()
              << ", no candidates evaluated)\n";
    return kExitOk;
  }

  // The folder checks are cheap and come first; building the inputs may
  // load a dataset or measure the host.
  std::error_code ec;
  if (mode == RunFolderMode::kCreate && fs::exists(run, ec)) {
    std::cerr << "nas search: error: failed to create run folder " << run.string()
              << ": it exists (use --resume to continue that run or --force to replace it)\n";
    return kExitUsage;
  }
  if (mode == RunFolderMode::kResume) {
    if (Status s = prepare_run_folder(run, mode, {}); !s) {
      std::cerr << "nas search: error: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  std::vector<search::CandidateRecord> journaled;
  if (mode == RunFolderMode::kResume) {
    auto journal = search::read_journal(run / search::kJournalFile);
    if (!journal) return report(journal.status().message());
    if (!journal->warning.empty()) log_warning(journal->warning);
    journaled = std::move(journal->records);
  }
  std::optional<Inputs> in =
      build_inputs(*experiment, threads, show_progress, static_cast<int64_t>(journaled.size()), &code);
  if (!in) return code;
  if (mode != RunFolderMode::kResume) {
    if (Status s = prepare_run_folder(run, mode, {{kRunConfigFile, resolved}}); !s) {
      std::cerr << "nas search: error: " << s.message() << "\n";
      return kExitUsage;
    }
  }

  if (in->host_state) {
    if (Status s = append_machine_state(run, in->host_state->start, in->host_state->mode); !s) {
      std::cerr << "nas search: error: " << s.message() << "\n";
      return kExitFailure;
    }
  }

  search::EngineParts parts;
  parts.experiment = &*experiment;
  parts.space = in->space.get();
  parts.strategy = in->strategy.get();
  parts.evaluator = in->evaluator.get();
  for (const auto& m : in->cost_models) parts.cost_models.push_back(m.get());
  search::EngineOptions engine_options = search::EngineOptions::from(*experiment);
  engine_options.interrupt = &g_interrupted;
  engine_options.show_progress = show_progress;
  if (in->host_state && in->host_state->tracker) {
    // The host entry's re-checks: a failed one is a warning (the factor in
    // force stays), a record that cannot be written stops the run.
    hardware::MachineStateTracker& tracker = *in->host_state->tracker;
    engine_options.before_evaluating = [&tracker, &run](int64_t next) -> Status {
      auto check = tracker.maybe_recheck(next);
      if (!check) {
        log_warning("host machine state: the re-check before candidate " + std::to_string(next) +
                    " failed (" + check.status().message() + "); host latencies keep the factor in force");
        return Status::ok();
      }
      if (!check.value()) return Status::ok();
      log_info(hardware::machine_state_recheck_line(*check.value(), tracker.mode()));
      // Under check the latencies stay the table's: say so as loudly as at the
      // start. Under rescale the line itself says what the run now applies.
      if (tracker.mode() == config::MachineStateMode::kCheck)
        if (const std::string w = hardware::machine_state_warning(check.value()->state, tracker.mode());
            !w.empty())
          log_warning(w);
      return append_machine_state(run, *check.value(), tracker.mode());
    };
  }

  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_sigint);
  log_info("searching " + in->space->name() + " with " + config::strategy_name(experiment->strategy.config) +
           " into " + run.string() + " (" + std::to_string(ops::num_threads()) + " threads)");
  auto outcome = search::run_engine(parts, engine_options, run / search::kJournalFile, std::move(journaled));
  std::signal(SIGINT, previous);
  if (!outcome) {
    std::cerr << "nas search: error: " << outcome.status().message() << "\n";
    return kExitUsage;
  }

  const search::Scorer scorer(*experiment);
  const search::RunSummary summary = search::summarize(outcome->history, scorer);
  if (Status s = search::write_outputs(run, *experiment, *in->space, outcome.value(), summary, scorer); !s) {
    std::cerr << "nas search: error: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cout << search::final_table(outcome->history, summary, scorer, *experiment);
  std::cout << "stopped: " << search::stop_reason_name(outcome->reason) << " after "
            << outcome->history.size() << " candidates (" << outcome->evaluated
            << " new in this session";
  if (outcome->resumed) std::cout << ", " << outcome->resumed << " from the journal";
  std::cout << ", " << format_duration(outcome->seconds) << ")\n";
  if (summary.best) {
    const search::CandidateRecord& best = outcome->history[*summary.best];
    std::cout << "best feasible: #" << best.id << " " << best.arch << "\n  -> "
              << (run / "best" / "arch.yaml").string() << "\n";
  } else {
    std::cout << "no feasible candidate (see " << (run / search::kJournalFile).string() << ")\n";
  }
  std::cout << "run folder: " << run.string() << " (history.jsonl, pareto.csv, summary.json)\n";
  if (outcome->reason == search::StopReason::kInterrupted) {
    std::cout << "continue with: nas search " << path << " --resume\n";
    return kExitInterrupted;
  }
  return kExitOk;
}

}  // namespace nas::cli
