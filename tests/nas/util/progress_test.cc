#include "nas/util/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace nas {
namespace {

using std::chrono::seconds;

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) s += buf;
  return s;
}

TEST(Progress, LineShowsRateAndEta) {
  std::FILE* f = std::tmpfile();
  Progress p("search", 100, f, /*is_tty=*/0, /*period_s=*/10);
  const auto t0 = Progress::Clock::now();
  p.update(40, t0 + seconds(20));
  const std::string line = p.line(t0 + seconds(20));
  EXPECT_NE(line.find("search: 40/100 (40%)"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos) << line;
  std::fclose(f);
}

TEST(Progress, PlainLinesAreRateLimitedWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  {
    Progress p("x", 10, f, /*is_tty=*/0, /*period_s=*/10);
    const auto t0 = Progress::Clock::now();
    for (int i = 1; i <= 5; ++i) p.update(i, t0 + seconds(1) * i);  // within 10 s: silent
    p.update(6, t0 + seconds(30));                                   // prints
    p.finish(t0 + seconds(31));                                      // prints
  }
  const std::string out = read_all(f);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos);
  std::fclose(f);
}

TEST(Progress, TerminalRedrawsInPlace) {
  std::FILE* f = std::tmpfile();
  Progress p("x", 3, f, /*is_tty=*/1);
  p.update(1);
  p.update(2);
  p.finish();
  const std::string out = read_all(f);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 3);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  std::fclose(f);
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(42), "42s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
}

}  // namespace
}  // namespace nas
