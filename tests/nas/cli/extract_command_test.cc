// `nas extract` on a run folder built by hand (config.yaml + history.jsonl +
// pareto.csv over a tiny 28x28 space): the three selections, the round trip
// of the saved weights, and every user error (exit 2, no output folder).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nas/config/architecture.h"
#include "nas/config/load_experiment.h"
#include "nas/eval/experiment_data.h"
#include "nas/eval/model_folder.h"
#include "nas/eval/train_recipe.h"
#include "nas/search/candidate_record.h"
#include "nas/space/space_loader.h"
#include "nas/train/data/fashion_mnist.h"
#include "ops/core/op_registry.h"
#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::run_nas;
using testing::TempDir;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

bool have_fashion_mnist() {
  return fs::exists(fs::path(train::kFashionMnistDefaultDir) / "train-images-idx3-ubyte.gz");
}

// A run folder: 8 candidates of a 3-decision space (all of it), accuracy and
// Raspberry Pi 4 latency made up by this test; candidates 3 and 6 break the
// run's latency constraint (max 2.0), candidate 5 failed.
class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path();
    run_ = root_ / "runs" / "tiny";
    fs::create_directories(run_);
    write(root_ / "tiny28.yaml",
          "name: tiny28\nkind: macro\ninput: {channels: 1, resolution: 28}\n"
          "stem: {width: 8, kernel: 3, stride: 2, activation: relu}\n"
          "stages:\n"
          "  - {block: mbconv, kernel: [3, 5], expand: [1, 2], width: [8, 16], depth: 1, stride: 2}\n"
          "head: {classes: 10}\n");
    const std::string profile = testing::source_dir() + "/hardware_profiles/raspberry_pi4.yaml";
    write(run_ / "config.yaml",
          "name: tiny\nseed: 4\nspace: " + (root_ / "tiny28.yaml").string() +
              "\n"
              "dataset: {name: fashion_mnist, train_subset: 500, valid_subset: 200}\n"
              "hardware: [" + profile + "]\n"
              "objectives:\n"
              "  - {metric: accuracy, goal: maximize}\n"
              "  - {metric: latency_ms, hardware: raspberry_pi4, goal: minimize}\n"
              "constraints:\n"
              "  - {metric: latency_ms, hardware: raspberry_pi4, max: 2.0}\n"
              "strategy: {name: random}\n"
              "evaluator: {name: train, epochs: 1, batch_size: 64}\n"
              "budget: {candidates: 8}\n"
              "output: " + run_.string() + "\n");
    config::Diagnostics d;
    space_ = space::load_space((root_ / "tiny28.yaml").string(), d);
    ASSERT_TRUE(space_) << d.str();
    const double accuracy[8] = {0.50, 0.61, 0.55, 0.90, 0.58, 0.95, 0.80, 0.57};
    const double latency[8] = {1.0, 1.2, 1.1, 2.5, 1.3, 1.0, 3.0, 1.4};
    std::string journal;
    for (int id = 0; id < 8; ++id) {
      search::CandidateRecord r;
      r.id = id;
      r.genotype = {id / 4, (id / 2) % 2, id % 2};
      r.arch = space_->canonical_string(r.genotype);
      r.metrics = {{"accuracy", accuracy[id]}, {"latency_ms@raspberry_pi4", latency[id]}};
      r.feasible = latency[id] <= 2.0;
      if (id == 5) {
        r.status = search::CandidateStatus::kFailed;
        r.error = "failed to train at step 3: loss is nan";
        r.feasible = false;
        r.metrics.erase("accuracy");
      }
      journal += search::to_json_line(r) + "\n";
      arch_.push_back(r.arch);
    }
    journal_lines_ = journal;
    write(run_ / "history.jsonl", journal);
    // Best first, as the engine writes it (a subset of columns is enough).
    write(run_ / "pareto.csv", "rank,id,arch,scalar,accuracy,latency_ms@raspberry_pi4\n"
                               "1,1,\"" + arch_[1] + "\",0.61,0.61,1.2\n"
                               "2,0,\"" + arch_[0] + "\",0.5,0.5,1\n");
  }

  // Runs extract into root/out; returns the result.
  testing::ProcessResult extract(const std::string& flags) {
    return run_nas("extract " + run_.string() + " --out " + out().string() + " " + flags);
  }
  fs::path out() const { return root_ / "out"; }

  void expect_usage_error(const testing::ProcessResult& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, message)) << r.err;
    EXPECT_FALSE(fs::exists(out())) << "an output folder was left behind";
  }

  TempDir dir_;
  fs::path root_, run_;
  std::unique_ptr<space::Space> space_;
  std::vector<std::string> arch_;
  std::string journal_lines_;
};

TEST_F(ExtractTest, BestRoundTripsThroughTheSavedWeights) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  const auto r = extract("--epochs 2 --train-subset 2000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Best feasible by the run's ranking (accuracy first): candidate 1 (0.61);
  // 3 and 6 are more accurate but infeasible, 5 failed.
  EXPECT_TRUE(contains(r.out, "candidate 1 of ")) << r.out;
  EXPECT_TRUE(contains(r.out, "test: accuracy ")) << r.out;
  EXPECT_TRUE(contains(r.out, "raspberry_pi4")) << r.out;
  for (const char* f : {"arch.yaml", "weights.safetensors", "metrics.json"})
    EXPECT_TRUE(fs::exists(out() / f)) << f;
  const auto metrics = nlohmann::json::parse(testing::read_file(out() / "metrics.json"));
  EXPECT_EQ(metrics["candidate"], 1);
  EXPECT_EQ(metrics["arch"], arch_[1]);
  EXPECT_EQ(metrics["epochs"], 2);
  EXPECT_EQ(metrics["train_examples"], 2000);
  EXPECT_EQ(metrics["test_examples"], 10000);
  const double saved_accuracy = metrics["test_accuracy"].get<double>();
  EXPECT_GT(saved_accuracy, 0.3) << r.out;  // far above chance (0.1)
  EXPECT_GT(metrics["cost"]["raspberry_pi4"]["latency_ms"].get<double>(), 0.0);
  EXPECT_GT(metrics["cost"]["raspberry_pi4"]["macs"].get<double>(), 0.0);

  // Reload the written architecture and weights into a fresh network: the
  // same test data gives the same accuracy, bit for bit.
  config::Diagnostics d;
  auto arch = config::load_architecture((out() / "arch.yaml").string(), ops::op_registry().names(), d);
  ASSERT_TRUE(arch) << d.str();
  auto experiment = config::load_experiment((run_ / "config.yaml").string(), config::Catalog::defaults());
  ASSERT_TRUE(experiment) << experiment.status().message();
  auto options = eval::retrain_data_options(experiment.value().dataset, 2000, 4);
  ASSERT_TRUE(options);
  auto data = train::prepare_data(options.value());
  ASSERT_TRUE(data) << data.status().message();
  auto fresh = eval::untrained_model(*arch, data.value().splits.train, 99);
  ASSERT_TRUE(fresh) << fresh.status().message();
  auto before = fresh.value()->evaluate(data.value().splits.test);
  ASSERT_TRUE(before);
  ASSERT_TRUE(eval::load_weights(out() / "weights.safetensors", *fresh.value()));
  auto after = fresh.value()->evaluate(data.value().splits.test);
  ASSERT_TRUE(after);
  EXPECT_EQ(after.value().accuracy, saved_accuracy);
  EXPECT_NE(before.value().accuracy, saved_accuracy);  // the weights did change something

  // An existing output folder is refused without --force.
  const auto again = extract("--epochs 2 --train-subset 2000");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.err, "output folder " + out().string() + " exists (use --force"))
      << again.err;
}

TEST_F(ExtractTest, ParetoRowAndConstraintSelections) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  auto r = extract("--select pareto:2 --epochs 1 --train-subset 200");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(out() / "metrics.json"))["candidate"], 0);
  // The most accurate feasible candidate with latency <= 1.1: candidate 2 (0.55).
  r = extract("--select \"latency_ms@raspberry_pi4<=1.1, accuracy>0.4\" --epochs 1 "
              "--train-subset 200 --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(out() / "metrics.json"))["candidate"], 2);
}

TEST_F(ExtractTest, NoRunFolder) {
  const auto r = run_nas("extract " + (root_ / "runs" / "nope").string() + " --out " + out().string());
  expect_usage_error(r, "is not a run folder");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(ExtractTest, CorruptedJournalLineIsAnErrorAtItsLine) {
  std::string lines = journal_lines_;
  const size_t second = lines.find('\n') + 1;
  lines.insert(second, "{\"id\": 1, \"genotype\": [0,\n");
  write(run_ / "history.jsonl", lines);
  expect_usage_error(extract(""), (run_ / "history.jsonl").string() +
                                      ":2: error: malformed journal line: not a JSON object");
}

TEST_F(ExtractTest, GenotypeOutsideTheSpaceIsAnError) {
  std::string lines = journal_lines_;
  const size_t at = lines.find("\"genotype\":[0,0,0]");
  ASSERT_NE(at, std::string::npos) << lines;
  lines.replace(at, 18, "\"genotype\":[0,7,0]");
  write(run_ / "history.jsonl", lines);
  expect_usage_error(extract(""), (run_ / "history.jsonl").string() +
                                      ":1: error: genotype of candidate 0 does not fit space tiny28");
}

TEST_F(ExtractTest, MissingJournal) {
  fs::remove(run_ / "history.jsonl");
  expect_usage_error(extract(""), "history.jsonl: error: failed to open the run's journal");
}

TEST_F(ExtractTest, BadSelections) {
  expect_usage_error(extract("--select \"latency_ms<=<=5\""),
                     "nas extract: error: --select 'latency_ms<=<=5': 'latency_ms<=<=5' is not a "
                     "constraint (expected best, pareto:K, or comma-separated METRIC[@HARDWARE] "
                     "<=|<|>=|>|== NUMBER, e.g. \"latency_ms@raspberry_pi4<=5\")");
  expect_usage_error(extract("--select pareto:0"),
                     "--select 'pareto:0': expected pareto:K with K a row number >= 1");
  expect_usage_error(extract("--select pareto:3"),
                     "--select pareto:3: " + (run_ / "pareto.csv").string() + " has 2 rows");
  expect_usage_error(extract("--select 'latency_ms@rpi4<=5'"),
                     "--select 'latency_ms@rpi4<=5': the run has no metric 'latency_ms@rpi4' (it "
                     "has accuracy, latency_ms@raspberry_pi4)");
  expect_usage_error(extract("--select 'latency_ms@raspberry_pi4<0.5'"),
                     "--select 'latency_ms@raspberry_pi4<0.5': no feasible candidate of the run "
                     "satisfies it");
  expect_usage_error(extract("--epochs 0"), "nas extract: error: --epochs must be >= 1, got 0");
  fs::remove(run_ / "pareto.csv");
  expect_usage_error(extract("--select pareto:1"), "pareto.csv: error: failed to open the run's Pareto front");
}

TEST_F(ExtractTest, NoFeasibleCandidate) {
  std::string lines;
  for (int id = 0; id < 2; ++id) {
    search::CandidateRecord r;
    r.id = id;
    r.genotype = {0, 0, id};
    r.arch = space_->canonical_string(r.genotype);
    r.status = search::CandidateStatus::kFailed;
    r.error = "not in table";
    r.feasible = false;
    lines += search::to_json_line(r) + "\n";
  }
  write(run_ / "history.jsonl", lines);
  expect_usage_error(extract(""), "no feasible candidate in " + (run_ / "history.jsonl").string() +
                                      " (2 failed, 0 skipped of 2)");
}

TEST_F(ExtractTest, MissingOutFlag) {
  auto r = run_nas("extract " + run_.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--out")) << r.err;
  r = run_nas("extract " + run_.string() + " --out ''");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "nas extract: error: --out must name a folder")) << r.err;
}

}  // namespace
}  // namespace nas
