#include "nas/hardware/latency_table.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nas/graph/op_signature.h"
#include "tests/nas/testing/run_nas.h"

namespace nas::hardware {
namespace {

TEST(LatencyTable, SaveThenLoadGivesTheSameEntries) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/t.lut.csv";
  LatencyTable t;
  t.put({"conv2d|in=[1x8x8x4]|out_channels=8|kernel=3", 0.25, 3.5, 31, -1});
  t.put({"relu|in=[1x8x8x8]", 0.0125, 0, 0, 0.5});
  ASSERT_TRUE(t.save(path, {"measured on nothing", "second comment"}).is_ok());
  config::Diagnostics diags;
  const auto back = LatencyTable::load(path, diags);
  ASSERT_TRUE(back.has_value()) << diags.str();
  ASSERT_EQ(back->size(), 2u);
  const LatencyEntry* conv = back->find("conv2d|in=[1x8x8x4]|out_channels=8|kernel=3");
  ASSERT_NE(conv, nullptr);
  EXPECT_DOUBLE_EQ(conv->latency_ms, 0.25);
  EXPECT_DOUBLE_EQ(conv->spread_pct, 3.5);
  EXPECT_EQ(conv->repeats, 31);
  EXPECT_LT(conv->energy_mj, 0);
  const LatencyEntry* relu = back->find(graph::signature_hash("relu|in=[1x8x8x8]"));
  ASSERT_NE(relu, nullptr);
  EXPECT_DOUBLE_EQ(relu->energy_mj, 0.5);
  EXPECT_EQ(back->find("relu|in=[1x8x8x9]"), nullptr);
}

TEST(LatencyTable, PutReplacesTheEntryOfTheSameSignature) {
  LatencyTable t;
  t.put({"a", 1, 0, 0, -1});
  t.put({"a", 2, 0, 0, -1});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_DOUBLE_EQ(t.find("a")->latency_ms, 2);
}

TEST(LatencyTable, EveryBadLineIsReportedWithItsColumn) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.lut.csv";
  std::ofstream(path) << "# header next\n"
                         "signature,latency_ms,spread_pct,repeats,energy_mj\n"
                         "a,0\n"
                         "b,1,-2\n"
                         "c,1,2,3.5\n"
                         "d,1,2,3,x\n"
                         "a,1\n"
                         "onlyone\n";
  config::Diagnostics diags;
  EXPECT_FALSE(LatencyTable::load(path, diags).has_value());
  EXPECT_EQ(diags.str(),
            path + ":3:3: error: latency_ms must be a number > 0, got '0'\n" +
            path + ":4:5: error: spread_pct must be a number >= 0, got '-2'\n" +
            path + ":5:7: error: repeats must be an integer >= 0, got '3.5'\n" +
            path + ":6:9: error: energy_mj must be a number >= 0, got 'x'\n" +
            path + ":7:1: error: duplicate signature 'a'\n" +
            path + ":8:1: error: expected 2 to 5 columns (signature,latency_ms,spread_pct,repeats,energy_mj), got 1");
}

TEST(LatencyTable, MissingFileAndBadHeader) {
  testing::TempDir dir;
  config::Diagnostics diags;
  EXPECT_FALSE(LatencyTable::load(dir.path() + "/none.csv", diags).has_value());
  EXPECT_EQ(diags.str(), dir.path() + "/none.csv: error: cannot read the latency table");
  const std::string path = dir.path() + "/h.csv";
  std::ofstream(path) << "sig,lat\n";
  config::Diagnostics d2;
  EXPECT_FALSE(LatencyTable::load(path, d2).has_value());
  EXPECT_EQ(d2.str(), path + ":1:1: error: bad header (expected "
                             "'signature,latency_ms,spread_pct,repeats,energy_mj', got 'sig,lat')");
}

}  // namespace
}  // namespace nas::hardware
