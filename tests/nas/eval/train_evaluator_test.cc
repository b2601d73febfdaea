// The train evaluator on the synthetic dataset: it learns, reports its
// metrics, is deterministic in the request's seed, and turns a diverging
// run into a failed result.
#include <gtest/gtest.h>

#include <cmath>

#include "nas/eval/train_evaluator.h"
#include "nas/train/data/data_pipeline.h"
#include "nas/train/data/fashion_mnist.h"
#include "nas/space/space_loader.h"
#include "tests/nas/eval/eval_test_support.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::eval {
namespace {

// 600 training and 200 validation images of 8x8x1, 4 classes.
std::shared_ptr<const train::DataSplits> synthetic_splits() {
  train::DataPipelineOptions o;
  o.kind = train::DatasetKind::kSynthetic;
  o.synthetic.size = 800;
  o.split.valid_size = 200;
  o.split.seed = 3;
  auto data = train::prepare_data(o);
  NAS_CHECK(data.is_ok());
  return std::make_shared<const train::DataSplits>(data.take().splits);
}

class TrainEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override { space_ = testing::load_tiny_space(dir_.path()); }
  EvalResult run(TrainEvaluator& e, const space::Genotype& g, uint64_t seed) {
    const std::string canonical = space_->canonical_string(g);
    auto arch = space_->decode(g);
    NAS_CHECK(arch.is_ok());
    EvalRequest r{0, &g, &canonical, &arch.value(), seed};
    return e.evaluate(r);
  }
  static TrainRecipe recipe() {
    TrainRecipe r;
    r.epochs = 2;
    r.batch_size = 32;
    r.learning_rate = 0.05;
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<space::Space> space_;
};

TEST_F(TrainEvaluatorTest, LearnsAndReportsItsMetrics) {
  TrainEvaluator e(synthetic_splits(), recipe());
  EXPECT_EQ(e.preferred_parallelism(), 1);
  const EvalResult r = run(e, {0, 1, 1}, 5);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.metrics.size(), 3u);
  // Four well-separated classes: far above chance (0.25) after two epochs.
  EXPECT_GT(r.metrics.at("accuracy"), 0.6);
  EXPECT_LE(r.metrics.at("accuracy"), 1.0);
  EXPECT_TRUE(std::isfinite(r.metrics.at("loss")));
  EXPECT_GT(r.metrics.at("loss"), 0.0);
  EXPECT_GT(r.metrics.at("train_time_s"), 0.0);
}

TEST_F(TrainEvaluatorTest, DeterministicInTheRequestSeed) {
  TrainEvaluator e(synthetic_splits(), recipe());
  const EvalResult a = run(e, {1, 0, 1}, 11);
  const EvalResult b = run(e, {1, 0, 1}, 11);
  const EvalResult c = run(e, {1, 0, 1}, 12);
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_EQ(a.metrics.at("accuracy"), b.metrics.at("accuracy"));
  EXPECT_EQ(a.metrics.at("loss"), b.metrics.at("loss"));  // bit for bit
  EXPECT_NE(a.metrics.at("loss"), c.metrics.at("loss"));  // another seed, other weights
}

TEST_F(TrainEvaluatorTest, DivergingTrainingIsAFailedResult) {
  TrainRecipe r = recipe();
  r.learning_rate = 1e12;  // blows the weights up to inf / NaN within a few steps
  r.optimizer = train::OptimizerKind::kSgd;
  TrainEvaluator e(synthetic_splits(), r);
  const EvalResult got = run(e, {0, 0, 0}, 1);
  EXPECT_FALSE(got.ok);
  EXPECT_NE(got.error.find("failed to train at step"), std::string::npos) << got.error;
  EXPECT_TRUE(got.metrics.empty());
}

TEST_F(TrainEvaluatorTest, InputChannelsThatDoNotMatchTheDataFailTheCandidate) {
  auto splits = std::make_shared<train::DataSplits>(*synthetic_splits());
  TrainEvaluator e(splits, recipe());
  const space::Genotype g{0, 0, 0};
  const std::string canonical = space_->canonical_string(g);
  auto arch = space_->decode(g);
  config::Architecture rgb = arch.value();
  rgb.channels = 3;
  EvalRequest req{0, &g, &canonical, &rgb, 1};
  const EvalResult got = e.evaluate(req);
  EXPECT_FALSE(got.ok);
  EXPECT_EQ(got.error, "input [8, 8, 3] does not match the dataset's [8, 8, 1]");
}

TEST_F(TrainEvaluatorTest, OtherResolutionsTrainOnResizedImages) {
  TrainEvaluator e(synthetic_splits(), recipe());
  const space::Genotype g{0, 0, 0};
  const std::string canonical = space_->canonical_string(g);
  config::Architecture big = space_->decode(g).take();
  big.height = 12;
  big.width = 12;
  EvalRequest req{0, &g, &canonical, &big, 1};
  const EvalResult got = e.evaluate(req);
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_GT(got.metrics.at("accuracy"), 0.4);
}

// make_evaluator's errors point at the experiment's dataset entry.
config::Experiment fashion_experiment(const std::string& folder) {
  config::Experiment e;
  e.dataset.name = {"fashion_mnist", {"x.yaml", 6, 17}};
  if (!folder.empty()) e.dataset.path = config::Located<std::filesystem::path>{folder, {"x.yaml", 6, 50}};
  e.dataset.train_subset = 100;
  e.dataset.valid_subset = 50;
  e.evaluator.config = config::TrainConfig{};
  return e;
}

TEST_F(TrainEvaluatorTest, MissingDataIsAnErrorAtTheDatasetEntry) {
  const config::Experiment e = fashion_experiment(dir_.path());  // a folder without the files
  auto made = make_evaluator({&e, space_.get(), false});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().message().rfind("x.yaml:6:17: error: ", 0), 0u) << made.status().message();
  EXPECT_NE(made.status().message().find(dir_.path()), std::string::npos) << made.status().message();
}

TEST_F(TrainEvaluatorTest, SpaceChannelsThatDoNotMatchTheDatasetAreAnError) {
  if (!std::filesystem::exists(std::filesystem::path(train::kFashionMnistDefaultDir) /
                               "train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  std::string yaml = testing::tiny_space_yaml();
  yaml.replace(yaml.find("channels: 1"), 11, "channels: 3");
  testing::write_text(dir_.path() + "/rgb.yaml", yaml);
  config::Diagnostics d;
  auto rgb = space::load_space(dir_.path() + "/rgb.yaml", d);
  ASSERT_TRUE(rgb) << d.str();
  const config::Experiment e = fashion_experiment("");
  auto made = make_evaluator({&e, rgb.get(), false});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.status().message(),
            "x.yaml:6:17: error: space tiny takes [8, 8, 3] inputs but dataset fashion_mnist has "
            "[28, 28, 1] images");
}

TEST_F(TrainEvaluatorTest, MakeEvaluatorBuildsTheTrainEvaluator) {
  if (!std::filesystem::exists(std::filesystem::path(train::kFashionMnistDefaultDir) /
                               "train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  const config::Experiment e = fashion_experiment("");
  // The tiny space has 4 classes: every candidate would fail, so the evaluator is refused.
  auto four = make_evaluator({&e, space_.get(), false});
  ASSERT_FALSE(four);
  EXPECT_EQ(four.status().message(),
            "x.yaml:6:17: error: space tiny outputs 4 classes but dataset fashion_mnist has 10");
  std::string yaml = testing::tiny_space_yaml();
  yaml.replace(yaml.find("classes: 4"), 10, "classes: 10");
  testing::write_text(dir_.path() + "/ten.yaml", yaml);
  config::Diagnostics d;
  space_ = space::load_space(dir_.path() + "/ten.yaml", d);
  ASSERT_TRUE(space_) << d.str();
  auto made = make_evaluator({&e, space_.get(), false});  // 8x8 space: trains on resized images
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_EQ(made.value()->preferred_parallelism(), 1);
  const EvalResult r = run(dynamic_cast<TrainEvaluator&>(*made.value()), {0, 0, 0}, 3);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GE(r.metrics.at("accuracy"), 0.0);
}

}  // namespace
}  // namespace nas::eval
