#include "nas/search/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include "nas/search/candidate_evaluation.h"
#include "nas/search/journal.h"
#include "nas/search/scoring.h"
#include "nas/space/genotype_ops.h"
#include "nas/util/format.h"
#include "nas/util/log.h"
#include "nas/util/progress.h"
#include "ops/core/parallel.h"

namespace nas::search {
namespace {

using Clock = std::chrono::steady_clock;

struct GenotypeHash {
  size_t operator()(const space::Genotype& g) const { return space::genotype_hash(g); }
};

// The search loop's state; one per run_engine() call.
class Loop {
 public:
  Loop(const EngineParts& parts, const EngineOptions& options, std::vector<CandidateRecord> journaled)
      : parts_(parts),
        options_(options),
        scorer_(*parts.experiment),
        journaled_(std::move(journaled)),
        start_(Clock::now()),
        last_line_(start_ - std::chrono::hours(1)) {
    context_.space = parts.space;
    context_.evaluator = parts.evaluator;
    context_.cost_models = parts.cost_models;
    context_.scorer = &scorer_;
    context_.run_seed = static_cast<uint64_t>(parts.experiment->seed.value);
    parallelism_ = options.parallelism > 0 ? options.parallelism
                                           : std::min(parts.evaluator->preferred_parallelism(),
                                                      ops::num_threads());
    parallelism_ = std::max(parallelism_, 1);
  }

  Result<EngineOutcome> run(const std::filesystem::path& journal_path) {
    if (Status s = journal_.open(journal_path); !s) return s;
    journal_.set_sync(options_.sync_journal);
    if (!journaled_.empty() && options_.show_progress)
      log_info("resuming: replaying " + std::to_string(journaled_.size()) +
               " journaled candidates");
    int idle_asks = 0;
    while (true) {
      if (interrupted()) {
        outcome_.reason = StopReason::kInterrupted;
        break;
      }
      const int64_t done = static_cast<int64_t>(history_.size());
      if (options_.max_candidates && done >= *options_.max_candidates) {
        outcome_.reason = StopReason::kCandidates;
        break;
      }
      const bool replaying = done < static_cast<int64_t>(journaled_.size());
      if (!replaying && options_.wall_time_s && elapsed() >= *options_.wall_time_s) {
        outcome_.reason = StopReason::kWallTime;
        break;
      }
      Result<bool> step = run_batch(options_.batch);
      if (!step) return step.status();
      if (!step.value()) {  // stopped inside the batch (interrupt or budget): not told
        outcome_.reason = interrupted() ? StopReason::kInterrupted : StopReason::kCandidates;
        break;
      }
      idle_asks = static_cast<int64_t>(history_.size()) == done ? idle_asks + 1 : 0;
      if (idle_asks >= options_.exhausted_after) {
        outcome_.reason = StopReason::kExhausted;
        break;
      }
    }
    // Journaled records the replay did not reach (a smaller budget than the
    // original run's) still belong to the run's history.
    for (size_t i = history_.size(); i < journaled_.size(); ++i) history_.push_back(journaled_[i]);
    outcome_.history = std::move(history_);
    outcome_.seconds = elapsed();
    return std::move(outcome_);
  }

 private:
  bool interrupted() const { return options_.interrupt != nullptr && options_.interrupt->load(); }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // One ask / evaluate / journal / tell round of n proposals. Every ask is a
  // full batch, whatever budget is left: asks never depend on the budget, so
  // a finished run resumed with a larger budget continues exactly as a run
  // started with that budget. New candidates past the budget are neither
  // evaluated nor told. Returns false when the batch stopped early
  // (interrupt or budget; nothing told).
  Result<bool> run_batch(int n) {
    std::vector<space::Genotype> asked = parts_.strategy->ask(n);
    NAS_CHECK(static_cast<int>(asked.size()) == n);
    // Each proposal refers to a history index; new ones get the next ids.
    std::vector<int64_t> slot(asked.size());
    std::vector<std::pair<int64_t, space::Genotype>> fresh;  // (id, canonical) to evaluate
    int64_t next_id = static_cast<int64_t>(history_.size());
    bool over_budget = false;
    for (size_t i = 0; i < asked.size(); ++i) {
      NAS_CHECK(parts_.space->valid(asked[i]));
      space::Genotype canonical = parts_.space->canonicalize(asked[i]);
      const auto it = known_.find(canonical);
      if (it != known_.end()) {
        slot[i] = it->second;
        ++outcome_.repeats;
        continue;
      }
      if (options_.max_candidates && next_id >= *options_.max_candidates) {
        over_budget = true;
        break;
      }
      const int64_t id = next_id++;
      known_.emplace(canonical, id);
      slot[i] = id;
      if (id < static_cast<int64_t>(journaled_.size())) {
        const CandidateRecord& j = journaled_[id];
        if (j.genotype != canonical)
          return Status::error(
              "failed to resume: journal line " + std::to_string(id + 1) + " holds candidate " +
              std::to_string(id) + " = " + j.arch + " but the strategy now proposes " +
              parts_.space->canonical_string(canonical) +
              " (the experiment, its seed or its batch changed since the run started; use "
              "--force to start over)");
        continue;
      }
      fresh.emplace_back(id, std::move(canonical));
    }
    // Journaled candidates of this batch come first (ids are contiguous).
    while (static_cast<int64_t>(history_.size()) < next_id &&
           history_.size() < journaled_.size()) {
      history_.push_back(journaled_[history_.size()]);
      ++outcome_.resumed;
      note_best(history_.back());
    }
    Result<bool> complete = evaluate(fresh);
    if (!complete) return complete;
    if (!complete.value() || over_budget) return false;

    std::vector<Observation> told;
    told.reserve(asked.size());
    for (size_t i = 0; i < asked.size(); ++i)
      told.push_back(scorer_.observe(history_[slot[i]], asked[i]));
    parts_.strategy->tell(told);
    return true;
  }

  // Evaluates the fresh candidates and appends them to the journal and the
  // history in id order. Returns false when interrupted part-way (the
  // candidates done so far are journaled).
  Result<bool> evaluate(const std::vector<std::pair<int64_t, space::Genotype>>& fresh) {
    if (fresh.empty()) return true;
    if (parallelism_ <= 1 || fresh.size() == 1) {
      for (const auto& [id, g] : fresh) {
        if (interrupted()) return false;
        if (options_.before_evaluating) {
          if (Status s = options_.before_evaluating(id); !s) return s;
        }
        if (Status s = commit(evaluate_candidate(context_, id, g), /*flush=*/true); !s) return s;
      }
      return true;
    }
    if (options_.before_evaluating) {
      if (Status s = options_.before_evaluating(fresh.front().first); !s) return s;
    }
    std::vector<CandidateRecord> done(fresh.size());
    const int64_t count = static_cast<int64_t>(fresh.size());
    const int64_t grain = (count + parallelism_ - 1) / parallelism_;
    ops::run_in_arena([&] {
      ops::parallel_for(count, grain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          done[i] = evaluate_candidate(context_, fresh[i].first, fresh[i].second);
      });
    });
    // One flush for the batch's lines (group commit): each is on disk
    // before the strategy hears of any of them.
    for (CandidateRecord& r : done)
      if (Status s = commit(std::move(r), /*flush=*/false); !s) return s;
    if (Status s = journal_.flush(); !s) return s;
    return true;
  }

  // A candidate counts only once its journal line is on disk (flushed here,
  // or by the caller before the tell); a journal that cannot be written
  // stops the run (it could not be resumed). A sequential evaluation flushes
  // each line at once, so a kill loses no finished training.
  Status commit(CandidateRecord record, bool flush) {
    NAS_CHECK(record.id == static_cast<int64_t>(history_.size()));
    if (Status s = journal_.append(record); !s) return s;
    if (flush) {
      if (Status s = journal_.flush(); !s) return s;
    }
    history_.push_back(std::move(record));
    ++outcome_.evaluated;
    note_best(history_.back());
    print_line(history_.back());
    return Status::ok();
  }

  void note_best(const CandidateRecord& r) {
    if (r.status != CandidateStatus::kOk || !r.feasible) return;
    const double s = scorer_.scalar(r);
    if (best_id_ < 0 || s > best_scalar_) {
      best_id_ = r.id;
      best_scalar_ = s;
    }
  }

  void print_line(const CandidateRecord& r) {
    if (!options_.show_progress) return;
    const Clock::time_point now = Clock::now();
    const int64_t done = static_cast<int64_t>(history_.size());
    const bool last = options_.max_candidates && done >= *options_.max_candidates;
    if (!last && now - last_line_ < std::chrono::milliseconds(500)) return;
    last_line_ = now;
    std::ostringstream s;
    s << "candidate " << done;
    if (options_.max_candidates) s << "/" << *options_.max_candidates;
    s << "  #" << r.id << " ";
    if (r.status != CandidateStatus::kOk) {
      s << status_name(r.status) << " (" << r.error.substr(0, 80) << ")";
    } else {
      const std::vector<double> obj = scorer_.objectives(r);
      for (size_t i = 0; i < obj.size(); ++i)
        s << " " << scorer_.objective_keys()[i] << " "
          << fixed(scorer_.maximize()[i] ? -obj[i] : obj[i], 4);
      if (!r.feasible) s << " (infeasible)";
    }
    if (best_id_ >= 0) s << "  | best " << fixed(best_scalar_, 4) << " (#" << best_id_ << ")";
    const double session = elapsed();
    const int64_t new_here = outcome_.evaluated;
    if (session > 0 && new_here > 0) {
      const double rate = new_here / session;
      s << "  | " << fixed(rate, 2) << "/s";
      if (options_.max_candidates && rate > 0)
        s << " ETA " << format_duration((*options_.max_candidates - done) / rate);
    }
    log_info(s.str());
  }

  const EngineParts& parts_;
  const EngineOptions& options_;
  Scorer scorer_;
  CandidateContext context_;
  std::vector<CandidateRecord> journaled_;
  std::vector<CandidateRecord> history_;
  std::unordered_map<space::Genotype, int64_t, GenotypeHash> known_;
  JournalWriter journal_;
  EngineOutcome outcome_;
  int parallelism_ = 1;
  int64_t best_id_ = -1;
  double best_scalar_ = 0;
  Clock::time_point start_;
  Clock::time_point last_line_;
};

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kCandidates: return "candidate budget reached";
    case StopReason::kWallTime: return "wall-time budget reached";
    case StopReason::kInterrupted: return "interrupted";
    case StopReason::kExhausted: return "the strategy proposes no new candidates (space exhausted)";
  }
  return "?";
}

EngineOptions EngineOptions::from(const config::Experiment& e) {
  EngineOptions o;
  o.max_candidates = e.budget.candidates;
  if (e.budget.wall_time_s) o.wall_time_s = static_cast<double>(*e.budget.wall_time_s);
  o.batch = e.budget.batch;
  return o;
}

Result<EngineOutcome> run_engine(const EngineParts& parts, const EngineOptions& options,
                                 const std::filesystem::path& journal_path,
                                 std::vector<CandidateRecord> journaled) {
  NAS_CHECK(parts.experiment && parts.space && parts.strategy && parts.evaluator);
  NAS_CHECK(options.batch >= 1);
  Loop loop(parts, options, std::move(journaled));
  return loop.run(journal_path);
}

}  // namespace nas::search
