#include "nas/config/duration.h"

#include <gtest/gtest.h>

namespace nas::config {
namespace {

TEST(Duration, SingleUnits) {
  EXPECT_EQ(parse_duration_s("90s"), 90);
  EXPECT_EQ(parse_duration_s("10m"), 600);
  EXPECT_EQ(parse_duration_s("2h"), 7200);
  EXPECT_EQ(parse_duration_s("0s"), 0);
}

TEST(Duration, CombinedUnitsInOrder) {
  EXPECT_EQ(parse_duration_s("1h30m"), 5400);
  EXPECT_EQ(parse_duration_s("1h30m15s"), 5415);
  EXPECT_EQ(parse_duration_s("2m30s"), 150);
  EXPECT_EQ(parse_duration_s("1h5s"), 3605);
  EXPECT_EQ(parse_duration_s("90m"), 5400);  // parts may exceed their unit's range
}

TEST(Duration, BareNumberIsSeconds) {
  EXPECT_EQ(parse_duration_s("600"), 600);
  EXPECT_EQ(parse_duration_s("0"), 0);
}

TEST(Duration, RejectsMalformed) {
  for (const char* bad : {"", "m", "10 m", " 10m", "10m ", "10min", "1.5h", "-5s", "+5s", "30m1h",
                          "1h1h", "10x", "h10", "1h30", "10M", "1d"}) {
    EXPECT_EQ(parse_duration_s(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(Duration, RejectsOverflow) {
  EXPECT_EQ(parse_duration_s("9223372036854775807s"), 9223372036854775807LL);
  EXPECT_EQ(parse_duration_s("9223372036854775808s"), std::nullopt);
  EXPECT_EQ(parse_duration_s("9223372036854775807h"), std::nullopt);
  // 2562047788015215 h is 9223372036854774000 s, 1807 s below the int64 limit.
  EXPECT_EQ(parse_duration_s("2562047788015215h30m7s"), 9223372036854775807LL);
  EXPECT_EQ(parse_duration_s("2562047788015215h30m8s"), std::nullopt);
}

}  // namespace
}  // namespace nas::config
