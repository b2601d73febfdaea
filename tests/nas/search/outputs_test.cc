#include "nas/search/outputs.h"

#include <gtest/gtest.h>

#include "tests/nas/search/engine_fakes.h"

namespace nas::search {
namespace {

CandidateRecord rec(int64_t id, double acc, double lat, CandidateStatus status = CandidateStatus::kOk,
                    bool feasible = true) {
  CandidateRecord r;
  r.id = id;
  r.arch = id == 1 ? "a,\"b\"" : "arch";
  if (id != 1) r.arch += std::to_string(id);  // (appended: g++ 12 -Wrestrict false positive)
  r.status = status;
  r.feasible = feasible;
  r.metrics = {{"accuracy", acc}, {"latency_ms@fake_dev", lat}, {"params", 1500}, {"macs", 2.5e6}};
  return r;
}

TEST(Outputs, FrontBestAndCsvOnHandData) {
  const config::Experiment e = testing::fake_experiment(1, 1);
  const Scorer scorer(e);
  const std::vector<CandidateRecord> h = {
      rec(0, 0.80, 2.0), rec(1, 0.90, 4.0), rec(2, 0.85, 5.0),  // 2 dominated by 1
      rec(3, 0.95, 9.0, CandidateStatus::kOk, false),           // infeasible
      rec(4, 0.99, 1.0, CandidateStatus::kFailed, false), rec(5, 0.70, 1.0)};
  const RunSummary s = summarize(h, scorer);
  EXPECT_EQ(s.pareto, (std::vector<size_t>{1, 0, 5}));  // best scalar (accuracy) first
  ASSERT_TRUE(s.best.has_value());
  EXPECT_EQ(*s.best, 1u);
  EXPECT_EQ(s.feasible, 4);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(pareto_csv(h, s, scorer),
            "rank,id,arch,scalar,accuracy,latency_ms@fake_dev,macs,params\n"
            "1,1,\"a,\"\"b\"\"\",0.9,0.9,4,2500000,1500\n"
            "2,0,arch0,0.8,0.8,2,2500000,1500\n"
            "3,5,arch5,0.7,0.7,1,2500000,1500\n");
  const std::string table = final_table(h, s, scorer, e);
  EXPECT_NE(table.find("Pareto front (3 of 4 feasible candidates; 6 candidates, 1 failed)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("latency_ms@fake_dev"), std::string::npos);
  EXPECT_NE(table.find("2.50M"), std::string::npos) << table;
  EXPECT_NE(table.find("modelled"), std::string::npos);
}

TEST(Outputs, NoFeasibleCandidateMeansNoBest) {
  const config::Experiment e = testing::fake_experiment(1, 1);
  const Scorer scorer(e);
  const RunSummary s = summarize({rec(0, 0.9, 1, CandidateStatus::kSkipped, false)}, scorer);
  EXPECT_FALSE(s.best.has_value());
  EXPECT_TRUE(s.pareto.empty());
  EXPECT_EQ(s.skipped, 1);
}

TEST(Outputs, ShortestNumbersReadBack) {
  EXPECT_EQ(shortest_number(0.05), "0.05");
  EXPECT_EQ(shortest_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(shortest_number(1e-7), "1e-07");
  EXPECT_EQ(shortest_number(2500000), "2500000");
}

}  // namespace
}  // namespace nas::search
