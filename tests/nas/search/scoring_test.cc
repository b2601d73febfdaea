// Objectives, constraint violation and scalarisation on hand values.
#include "nas/search/scoring.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/nas/search/engine_fakes.h"

namespace nas::search {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

CandidateRecord ok_record(double acc, double lat) {
  CandidateRecord r;
  r.metrics = {{"accuracy", acc}, {"latency_ms@fake_dev", lat}, {"params", 1000}};
  return r;
}

config::ConstraintSpec constraint(const std::string& metric, bool per_hw, std::optional<double> min,
                                  std::optional<double> max) {
  config::ConstraintSpec c;
  c.metric.value = metric;
  if (per_hw) c.hardware = config::Located<std::string>{testing::kDevice, {}};
  c.min = min;
  c.max = max;
  return c;
}

TEST(Scoring, ObjectivesAreMinimisedAndMissingOnesInfinite) {
  const config::Experiment e = testing::fake_experiment(1, 1);
  const Scorer s(e);
  EXPECT_EQ(s.objective_keys(), (std::vector<std::string>{"accuracy", "latency_ms@fake_dev"}));
  EXPECT_EQ(s.objectives(ok_record(0.9, 3.0)), (std::vector<double>{-0.9, 3.0}));
  CandidateRecord skipped = ok_record(0.9, 3.0);
  skipped.metrics.erase("accuracy");
  skipped.status = CandidateStatus::kSkipped;
  EXPECT_EQ(s.objectives(skipped), (std::vector<double>{kInf, 3.0}));
  CandidateRecord failed = ok_record(0.9, 3.0);
  failed.status = CandidateStatus::kFailed;
  EXPECT_EQ(s.objectives(failed), (std::vector<double>{kInf, kInf}));
}

TEST(Scoring, ViolationIsTheSumOfRelativeExcesses) {
  config::Experiment e = testing::fake_experiment(1, 1);
  e.constraints = {constraint("latency_ms", true, std::nullopt, 5.0),
                   constraint("params", false, 2000.0, 1e6),
                   constraint("accuracy", false, 0.0, std::nullopt)};
  const Scorer s(e);
  EXPECT_EQ(s.violation(ok_record(0.9, 4.0)), 1.0 / 2.0);          // params 1000 < 2000
  EXPECT_DOUBLE_EQ(s.violation(ok_record(0.9, 7.5)), 0.5 + 0.5);  // 2.5 / 5 + 1000 / 2000
  EXPECT_EQ(s.violation(ok_record(-0.25, 4.0)), 0.5 + 0.25);       // bound 0: absolute excess
  CandidateRecord nan = ok_record(std::nan(""), 1.0);
  EXPECT_EQ(s.violation(nan.metrics), 0.5 + 1.0);
  // A skipped record breaking no listed constraint (a device limit) still violates.
  e.constraints.clear();
  CandidateRecord skipped = ok_record(0.9, 1.0);
  skipped.status = CandidateStatus::kSkipped;
  EXPECT_EQ(Scorer(e).violation(skipped), 1.0);
}

TEST(Scalarization, MnasSoftAndHardOnHandValues) {
  using config::MnasForm;
  // Soft: ACC x (LAT/T)^w on both sides of the target.
  EXPECT_DOUBLE_EQ(mnas_reward(0.8, 10.0, 5.0, -0.07, MnasForm::kSoft), 0.8 * std::pow(2.0, -0.07));
  EXPECT_DOUBLE_EQ(mnas_reward(0.8, 2.5, 5.0, -0.07, MnasForm::kSoft), 0.8 * std::pow(0.5, -0.07));
  EXPECT_DOUBLE_EQ(mnas_reward(0.8, 5.0, 5.0, -0.07, MnasForm::kSoft), 0.8);
  // Hard: no reward for being under the target, the exponent over it.
  EXPECT_DOUBLE_EQ(mnas_reward(0.8, 2.5, 5.0, -1.0, MnasForm::kHard), 0.8);
  EXPECT_DOUBLE_EQ(mnas_reward(0.8, 10.0, 5.0, -1.0, MnasForm::kHard), 0.4);
  EXPECT_NEAR(0.8 * std::pow(2.0, -0.07), 0.762110, 1e-6);
}

TEST(Scalarization, KindsAndPenalties) {
  config::Experiment e = testing::fake_experiment(1, 1);
  const CandidateRecord r = ok_record(0.9, 3.0);
  // Default: the first objective in maximise sense; infeasible below all.
  Scalarizer first(e);
  EXPECT_EQ(first.scalar(r.metrics, true), 0.9);
  EXPECT_EQ(first.scalar(r.metrics, false), -kInf);
  // Weighted: weights times objectives in maximise sense.
  e.scalarization.kind = config::ScalarizationKind::kWeighted;
  e.scalarization.weights = {1.0, 0.1};
  EXPECT_DOUBLE_EQ(Scalarizer(e).scalar(r.metrics, true), 0.9 - 0.3);
  e.scalarization.infeasible_penalty = -5;
  EXPECT_EQ(Scalarizer(e).scalar(r.metrics, false), -5);
  // MnasNet on the fake device; a missing metric gets the penalty.
  e.scalarization = {};
  e.scalarization.kind = config::ScalarizationKind::kMnas;
  e.scalarization.metric.value = "latency_ms";
  e.scalarization.hardware = config::Located<std::string>{testing::kDevice, {}};
  e.scalarization.target = 6.0;
  Scalarizer mnas(e);
  EXPECT_DOUBLE_EQ(mnas.scalar(r.metrics, true), 0.9 * std::pow(0.5, -0.07));
  EXPECT_EQ(mnas.scalar(r.metrics, false), 0.0);  // MnasNet's default penalty
  EXPECT_EQ(mnas.scalar({{"accuracy", 0.9}}, true), 0.0);
}

TEST(Scoring, ObservationCarriesScalarAndViolation) {
  config::Experiment e = testing::fake_experiment(1, 1);
  e.constraints = {constraint("latency_ms", true, std::nullopt, 2.0)};
  const Scorer s(e);
  CandidateRecord r = ok_record(0.8, 3.0);
  r.id = 7;
  r.feasible = false;
  const Observation o = s.observe(r, {1, 2});
  EXPECT_EQ(o.id, 7);
  EXPECT_EQ(o.genotype, (space::Genotype{1, 2}));
  EXPECT_TRUE(o.ok);
  EXPECT_DOUBLE_EQ(o.violation, 0.5);
  EXPECT_FALSE(o.feasible());
  EXPECT_EQ(o.scalar, -kInf);
}

}  // namespace
}  // namespace nas::search
