#include "nas/search/journal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/nas/testing/run_nas.h"

namespace nas::search {
namespace {

namespace fs = std::filesystem;

CandidateRecord record(int64_t id) {
  CandidateRecord r;
  r.id = id;
  r.genotype = {static_cast<int>(id), 1, 2};
  r.arch = std::to_string(id);
  r.metrics = {{"accuracy", 0.5 + 0.01 * static_cast<double>(id)}, {"latency_ms@pi", 1.0 / 3.0}};
  r.eval_seconds = 0.25;
  return r;
}

fs::path write_three(const nas::testing::TempDir& dir) {
  const fs::path path = fs::path(dir.path()) / kJournalFile;
  JournalWriter w;
  EXPECT_TRUE(w.open(path).is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(w.append(record(i)).is_ok());
  return path;
}

TEST(Journal, RoundTripsRecordsExactly) {
  nas::testing::TempDir dir;
  const fs::path path = write_three(dir);
  auto j = read_journal(path);
  ASSERT_TRUE(j.is_ok()) << j.status().message();
  ASSERT_EQ(j->records.size(), 3u);
  EXPECT_TRUE(j->warning.empty());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(to_json_line(j->records[i]), to_json_line(record(i)));
  EXPECT_EQ(j->records[1].metrics.at("latency_ms@pi"), 1.0 / 3.0);  // bit-exact doubles
}

TEST(Journal, MissingFileIsAnEmptyJournal) {
  nas::testing::TempDir dir;
  auto j = read_journal(fs::path(dir.path()) / "none.jsonl");
  ASSERT_TRUE(j.is_ok());
  EXPECT_TRUE(j->records.empty());
}

TEST(Journal, TornLastLineIsDroppedWithAWarningAndCutOff) {
  nas::testing::TempDir dir;
  const fs::path path = write_three(dir);
  const std::string intact = testing::read_file(path);
  std::ofstream(path, std::ios::app) << "{\"id\": 3, \"genot";
  auto j = read_journal(path);
  ASSERT_TRUE(j.is_ok()) << j.status().message();
  EXPECT_EQ(j->records.size(), 3u);
  EXPECT_NE(j->warning.find(path.string() + ":4: dropped a corrupted last journal line"),
            std::string::npos)
      << j->warning;
  EXPECT_EQ(testing::read_file(path), intact);  // truncated back to the last whole line
  // Appending after the repair gives a valid journal.
  JournalWriter w;
  ASSERT_TRUE(w.open(path).is_ok());
  ASSERT_TRUE(w.append(record(3)).is_ok());
  EXPECT_EQ(read_journal(path)->records.size(), 4u);
}

TEST(Journal, GarbledLastLineWithNewlineIsDroppedToo) {
  nas::testing::TempDir dir;
  const fs::path path = write_three(dir);
  std::ofstream(path, std::ios::app) << "not json\n";
  auto j = read_journal(path);
  ASSERT_TRUE(j.is_ok());
  EXPECT_EQ(j->records.size(), 3u);
  EXPECT_FALSE(j->warning.empty());
}

TEST(Journal, CorruptedEarlierLineIsAnErrorNamingTheLine) {
  nas::testing::TempDir dir;
  const fs::path path = write_three(dir);
  std::string text = testing::read_file(path);
  const size_t second = text.find('\n') + 1;
  text.replace(second, 10, "garbage!!!");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  auto j = read_journal(path);
  ASSERT_FALSE(j.is_ok());
  EXPECT_NE(j.status().message().find(path.string() + ":2: error: corrupted journal line: not a JSON object"),
            std::string::npos)
      << j.status().message();
  EXPECT_EQ(testing::read_file(path), text);  // an error never modifies the journal
}

TEST(Journal, OutOfOrderIdsAreAnError) {
  nas::testing::TempDir dir;
  const fs::path path = fs::path(dir.path()) / kJournalFile;
  JournalWriter w;
  ASSERT_TRUE(w.open(path).is_ok());
  ASSERT_TRUE(w.append(record(0)).is_ok());
  ASSERT_TRUE(w.append(record(2)).is_ok());
  ASSERT_TRUE(w.append(record(3)).is_ok());
  auto j = read_journal(path);
  ASSERT_FALSE(j.is_ok());
  EXPECT_NE(j.status().message().find(":2: error: corrupted journal line: candidate id 2 where 1 was expected"),
            std::string::npos)
      << j.status().message();
}

TEST(CandidateRecord, StatusesAndNonFiniteMetricsRoundTrip) {
  CandidateRecord r = record(0);
  r.status = CandidateStatus::kSkipped;
  r.feasible = false;
  r.error = "not evaluated: latency_ms@pi = 9 > max 5";
  r.metrics["loss"] = std::nan("");
  auto back = from_json_line(to_json_line(r));
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->status, CandidateStatus::kSkipped);
  EXPECT_EQ(back->error, r.error);
  EXPECT_TRUE(std::isnan(back->metrics.at("loss")));
  EXPECT_FALSE(from_json_line("{\"id\": 0}").is_ok());
  auto bad_status = from_json_line(
      "{\"id\":0,\"genotype\":[],\"arch\":\"\",\"status\":\"maybe\",\"feasible\":true,"
      "\"metrics\":{},\"eval_seconds\":0,\"cost_seconds\":0}");
  ASSERT_FALSE(bad_status.is_ok());
  EXPECT_EQ(bad_status.status().message(), "'status' is 'maybe' (expected ok, failed or skipped)");
}

}  // namespace
}  // namespace nas::search
