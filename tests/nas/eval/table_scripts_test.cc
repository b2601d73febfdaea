// scripts/history_to_table.py: a run's journal becomes a table the tabular
// evaluator accepts, with the measured metrics and without failed candidates
// or cost metrics.
#include <gtest/gtest.h>

#include <cstdlib>

#include "nas/eval/metric_table.h"
#include "nas/search/candidate_record.h"
#include "tests/nas/eval/eval_test_support.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::eval {
namespace {

TEST(TableScripts, HistoryToTableRoundTripsThroughTheTabularEvaluator) {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  testing::TempDir dir;
  const auto space = testing::load_tiny_space(dir.path());
  std::string journal;
  for (int id = 0; id < 4; ++id) {
    search::CandidateRecord r;
    r.id = id;
    r.genotype = {id / 2, id % 2, 1};
    r.arch = space->canonical_string(r.genotype);
    r.metrics = {{"accuracy", 0.5 + 0.125 * id},
                 {"loss", 1.0 / (id + 1)},
                 {"train_time_s", 2.5},
                 {"params", 1000},
                 {"latency_ms@raspberry_pi4", 1.5}};
    if (id == 2) {
      r.status = search::CandidateStatus::kFailed;
      r.error = "failed to train at step 3: loss is nan";
      r.feasible = false;
      r.metrics = {{"params", 1000}};
    }
    journal += search::to_json_line(r) + "\n";
  }
  journal += "{\"id\": 4, \"genot";  // a torn last line: skipped with a warning
  testing::write_text(dir.path() + "/history.jsonl", journal);
  const std::string table = dir.path() + "/table.csv";
  const std::string command = "python3 " + testing::source_dir() + "/scripts/history_to_table.py " +
                              dir.path() + "/history.jsonl -o " + table + " 2> " + dir.path() +
                              "/err.txt";
  ASSERT_EQ(std::system(command.c_str()), 0);

  config::Diagnostics d;
  auto t = MetricTable::load(table, *space, d);
  ASSERT_TRUE(t) << d.str();
  EXPECT_EQ(t->size(), 3u);  // the failed candidate is left out
  EXPECT_EQ(t->columns(), (std::vector<std::string>{"accuracy", "loss", "train_time_s"}));
  const auto* row = t->find(space->canonical_string({1, 1, 1}));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->at("accuracy"), 0.875);
  EXPECT_EQ(row->at("loss"), 0.25);
  EXPECT_EQ(t->find(space->canonical_string({1, 0, 1})), nullptr);
}

}  // namespace
}  // namespace nas::eval
