// Fakes for engine tests: a seeded random strategy, a scripted strategy, an
// evaluator and a cost model whose numbers are functions of the genotype,
// and an experiment over search_spaces/mobilenet_tiny.yaml (which decodes,
// so the engine's real decode / cost path runs), and run_engine_in, which
// runs the engine over a run folder's journal as `nas search` does.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nas/config/experiment.h"
#include "nas/eval/evaluator.h"
#include "nas/hardware/cost_model.h"
#include "nas/search/candidate_record.h"
#include "nas/search/engine.h"
#include "nas/search/journal.h"
#include "nas/search/strategy.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space.h"
#include "nas/train/rng.h"
#include "ops/core/status.h"

namespace nas::search::testing {

inline constexpr const char* kDevice = "fake_dev";

// Uniform samples from Rng(seed); remembers what it was told.
class FakeRandomStrategy final : public Strategy {
 public:
  FakeRandomStrategy(const space::Space& space, uint64_t seed) : space_(space), rng_(seed) {}
  std::vector<space::Genotype> ask(int n) override {
    std::vector<space::Genotype> out;
    for (int i = 0; i < n; ++i) out.push_back(space::sample_uniform(space_, rng_));
    // Told results steer nothing here, but they feed the generator so a
    // resumed strategy that is told something else diverges (as real ones do).
    rng_ = train::Rng(rng_.next_u64() ^ feedback_);
    return out;
  }
  void tell(std::span<const Observation> results) override {
    for (const Observation& o : results) {
      told.push_back(o);
      feedback_ = feedback_ * 31 + static_cast<uint64_t>(std::isfinite(o.scalar) ? o.scalar * 1e6 : 7);
    }
  }
  std::vector<Observation> told;

 private:
  const space::Space& space_;
  train::Rng rng_;
  uint64_t feedback_ = 0;
};

// Proposes the scripted batches in order, then repeats the last one.
class ScriptedStrategy final : public Strategy {
 public:
  explicit ScriptedStrategy(std::vector<std::vector<space::Genotype>> batches)
      : batches_(std::move(batches)) {}
  std::vector<space::Genotype> ask(int n) override {
    const auto& b = batches_[std::min(next_, batches_.size() - 1)];
    ++next_;
    std::vector<space::Genotype> out;
    for (int i = 0; i < n; ++i) out.push_back(b[i % b.size()]);
    asks.push_back(n);
    return out;
  }
  void tell(std::span<const Observation> results) override {
    told.insert(told.end(), results.begin(), results.end());
  }
  std::vector<int> asks;
  std::vector<Observation> told;

 private:
  std::vector<std::vector<space::Genotype>> batches_;
  size_t next_ = 0;
};

// accuracy = 0.5 + 0.45 * (sum of indices) / (max sum); fails for
// genotypes whose hash is divisible by fail_every (0: never); calls
// on_call(n) before the n-th evaluation (1-based).
class FakeEvaluator final : public eval::Evaluator {
 public:
  FakeEvaluator(const space::Space& space, int parallelism = 1) : space_(space), parallelism_(parallelism) {}
  eval::EvalResult evaluate(const eval::EvalRequest& request) override {
    const int n = ++calls;
    if (on_call) on_call(n);
    eval::EvalResult r;
    const space::Genotype& g = *request.genotype;
    if (fail_every > 0 && space::genotype_hash(g) % fail_every == 0) {
      r.ok = false;
      r.error = "fake failure";
      return r;
    }
    double sum = 0, max = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      sum += g[i];
      max += static_cast<double>(space_.decisions()[i].choices.size() - 1);
    }
    r.metrics["accuracy"] = 0.5 + 0.45 * (max > 0 ? sum / max : 0);
    r.metrics["loss"] = 1.0 - r.metrics["accuracy"];
    r.metrics["seed_low_bits"] = static_cast<double>(request.seed % 1000);
    return r;
  }
  int preferred_parallelism() const override { return parallelism_; }

  std::atomic<int> calls{0};
  uint64_t fail_every = 0;
  std::function<void(int)> on_call;

 private:
  const space::Space& space_;
  int parallelism_;
};

// latency_ms = macs / 1e5, energy = latency / 10, memory = 4 bytes a param.
class FakeCostModel final : public hardware::CostModel {
 public:
  const std::string& name() const override { return name_; }
  hardware::CostEstimate estimate(const graph::NetworkSpec& spec, bool) const override {
    hardware::CostEstimate e;
    e.macs = spec.total_cost().macs;
    e.params = spec.param_count();
    e.latency_ms = static_cast<double>(e.macs) / 1e5;
    e.energy_mj = e.latency_ms / 10;
    e.peak_memory_bytes = e.params * 4;
    e.lut_coverage = 0;
    return e;
  }

 private:
  std::string name_ = kDevice;
};

// Objectives accuracy (max) and latency on the fake device (min); no
// constraints; candidates and batch as given.
inline config::Experiment fake_experiment(int64_t candidates, int batch, int64_t seed = 3) {
  config::Experiment e;
  e.name.value = "fake";
  e.seed.value = seed;
  config::HardwareSpec h;
  h.name = kDevice;
  h.profile = "fake.yaml";
  e.hardware.push_back(h);
  config::ObjectiveSpec acc;
  acc.metric.value = "accuracy";
  acc.goal = config::Goal::kMaximize;
  config::ObjectiveSpec lat;
  lat.metric.value = "latency_ms";
  lat.hardware = config::Located<std::string>{kDevice, {}};
  lat.goal = config::Goal::kMinimize;
  e.objectives = {acc, lat};
  e.budget.candidates = candidates;
  e.budget.batch = batch;
  return e;
}

// The journal text with timings zeroed (they are the only fields allowed to
// differ between equivalent runs).
inline std::string without_timings(const std::vector<CandidateRecord>& history) {
  std::string out;
  for (CandidateRecord r : history) {
    r.eval_seconds = 0;
    r.cost_seconds = 0;
    out += to_json_line(r) + "\n";
  }
  return out;
}

// run_engine over the journal in `dir` (resuming whatever it already holds),
// as `nas search` does; a failed run is a test failure, with its message.
inline Result<EngineOutcome> run_engine_in(const std::filesystem::path& dir, const EngineParts& parts,
                                           const EngineOptions& options) {
  auto journal = read_journal(dir / kJournalFile);
  NAS_CHECK(journal.is_ok());
  auto outcome = run_engine(parts, options, dir / kJournalFile, journal->records);
  EXPECT_TRUE(outcome.is_ok()) << outcome.status().message();
  return outcome;
}

}  // namespace nas::search::testing
