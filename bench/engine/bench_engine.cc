// bench_engine: the search engine's own time per candidate — ask, canonicalise,
// dedup, decode, NetworkSpec, scoring, journal line, tell — with an evaluator
// that answers instantly and no cost models, once the history holds
// `--history` candidates (default 10,000). The random strategy proposes.
// Prints "name value" lines:
//   overhead_ms_per_candidate   marginal time per candidate between candidate
//                               `history` and `history + measure`, fdatasync on
//                               (batches of 8 evaluated in parallel, as with
//                               the tabular evaluator: one flush per batch)
//   overhead_ms_nosync          the same with the journal's fsync off
//   decode_ms_per_candidate     decode + build_network_spec alone (part of both)
//   fsync_ms                    one appended line + fdatasync on this disk
//   replay_ms_per_candidate     --resume's replay of the whole journal
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "nas/config/diagnostics.h"
#include "nas/graph/architecture_builder.h"
#include "nas/search/engine.h"
#include "nas/search/journal.h"
#include "nas/search/strategy.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Answers at once; notes the time of the calls it is asked to.
class InstantEvaluator final : public nas::eval::Evaluator {
 public:
  InstantEvaluator(int mark_a, int mark_b) : mark_a_(mark_a), mark_b_(mark_b) {}
  // Like the tabular evaluator: the whole batch at once (one journal flush a batch).
  int preferred_parallelism() const override { return 64; }
  nas::eval::EvalResult evaluate(const nas::eval::EvalRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++calls_;
      if (calls_ == mark_a_) a_ = Clock::now();
      if (calls_ == mark_b_) b_ = Clock::now();
    }
    nas::eval::EvalResult r;
    r.metrics["accuracy"] = static_cast<double>(nas::space::genotype_hash(*request.genotype) % 1000) / 1000;
    return r;
  }
  double marked_ms() const { return std::chrono::duration<double, std::milli>(b_ - a_).count(); }

 private:
  std::mutex mutex_;
  int mark_a_, mark_b_, calls_ = 0;
  Clock::time_point a_, b_;
};

nas::config::Experiment experiment(int64_t candidates) {
  nas::config::Experiment e;
  e.name.value = "bench";
  nas::config::ObjectiveSpec acc;
  acc.metric.value = "accuracy";
  nas::config::ObjectiveSpec params;
  params.metric.value = "params";
  params.goal = nas::config::Goal::kMinimize;
  e.objectives = {acc, params};
  e.budget.candidates = candidates;
  e.budget.batch = 8;
  return e;
}

struct Timed {
  double marginal_ms = 0;  // per candidate, between the two marks
  double total_ms = 0;
};

Timed run(const nas::space::Space& space, const fs::path& dir, int history, int measure, bool sync,
          std::vector<nas::search::CandidateRecord> journaled = {}) {
  const nas::config::Experiment e = experiment(history + measure);
  auto strategy = nas::search::make_strategy(nas::config::RandomConfig{}, {&space, 1, 2});
  InstantEvaluator evaluator(history + 1, history + measure);
  nas::search::EngineParts parts{&e, &space, strategy.value().get(), &evaluator, {}};
  nas::search::EngineOptions o = nas::search::EngineOptions::from(e);
  o.show_progress = false;
  o.sync_journal = sync;
  const Clock::time_point t0 = Clock::now();
  auto out = nas::search::run_engine(parts, o, dir / nas::search::kJournalFile, std::move(journaled));
  Timed t;
  t.total_ms = ms_since(t0);
  if (!out) {
    std::fprintf(stderr, "bench_engine: %s\n", out.status().message().c_str());
    std::exit(1);
  }
  t.marginal_ms = evaluator.marked_ms() / (measure - 1);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int history = 10000, measure = 1000;
  std::string space_path = std::string(NAS_SOURCE_DIR) + "/search_spaces/mobilenet_tiny.yaml";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--history") history = std::atoi(argv[i + 1]);
    else if (a == "--measure") measure = std::atoi(argv[i + 1]);
    else if (a == "--space") space_path = argv[i + 1];
  }
  nas::config::Diagnostics d;
  auto space = nas::space::load_space(space_path, d);
  if (!space) {
    std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("bench_engine_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sync");
  fs::create_directories(dir / "nosync");

  // decode + build_network_spec alone, on the genotypes a run would see.
  nas::train::Rng rng(7);
  const int decode_n = 500;
  const Clock::time_point td = Clock::now();
  for (int i = 0; i < decode_n; ++i) {
    const auto g = nas::space::sample_uniform(*space, rng);
    auto arch = space->decode(g);
    auto spec = nas::graph::build_network_spec(arch.value(), 1);
    if (!spec) return 1;
  }
  const double decode_ms = ms_since(td) / decode_n;

  // One line appended + fdatasync, as the journal does.
  const fs::path f = dir / "fsync_probe";
  const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const std::string line(400, 'x');
  const int sync_n = 200;
  const Clock::time_point ts = Clock::now();
  for (int i = 0; i < sync_n; ++i) {
    if (::write(fd, line.data(), line.size()) < 0 || ::fdatasync(fd) != 0) return 1;
  }
  const double fsync_ms = ms_since(ts) / sync_n;
  ::close(fd);

  const Timed nosync = run(*space, dir / "nosync", history, measure, false);
  const Timed synced = run(*space, dir / "sync", history, measure, true);
  // Replay: the whole journal, then one more candidate.
  auto journal = nas::search::read_journal(dir / "nosync" / nas::search::kJournalFile);
  const size_t n = journal->records.size();
  const Timed replay = run(*space, dir / "nosync", static_cast<int>(n), 2, false, journal->records);

  std::printf("history %d\n", history);
  std::printf("overhead_ms_per_candidate %.4f\n", synced.marginal_ms);
  std::printf("overhead_ms_nosync %.4f\n", nosync.marginal_ms);
  std::printf("decode_ms_per_candidate %.4f\n", decode_ms);
  std::printf("fsync_ms %.4f\n", fsync_ms);
  std::printf("replay_ms_per_candidate %.4f\n", replay.total_ms / static_cast<double>(n));
  fs::remove_all(dir);
  return 0;
}
