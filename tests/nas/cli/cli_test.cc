// Exit codes and usage of the `nas` binary, run as a user runs it.
#include <gtest/gtest.h>

#include <string>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

using testing::run_nas;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Cli, NoArgumentsPrintsUsageAndExits2) {
  auto r = run_nas("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "usage: nas <command>")) << r.err;
}

TEST(Cli, VersionAndHelp) {
  auto v = run_nas("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(contains(v.out, "nas 0.")) << v.out;
  auto h = run_nas("--help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* c : {"search", "validate", "profile", "cost", "train", "extract", "list"})
    EXPECT_TRUE(contains(h.out, std::string("  ") + c)) << c;
}

TEST(Cli, UnknownCommandSuggestsAndExits2) {
  auto r = run_nas("serch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'serch' (did you mean 'search'?)")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage:")) << r.err;
}

TEST(Cli, UnknownTopLevelFlagExits2) {
  auto r = run_nas("--frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown option '--frobnicate'")) << r.err;
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* c : {"search", "validate", "profile", "cost", "train", "extract", "list"}) {
    auto r = run_nas(std::string(c) + " --help");
    EXPECT_EQ(r.exit_code, 0) << c << "\n" << r.err;
    EXPECT_TRUE(contains(r.out, std::string("usage: nas ") + c)) << c << "\n" << r.out;
  }
}

TEST(Cli, UnknownSubcommandFlagPrintsUsageAndExits2) {
  auto r = run_nas("list --bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--bogus")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage: nas list")) << r.err;
}

TEST(Cli, UnbuiltSubcommandsSaySoInOneLine) {
  for (const char* c : {"profile", "cost", "train", "extract"}) {
    auto r = run_nas(c);
    EXPECT_EQ(r.exit_code, 2) << c;
    EXPECT_TRUE(r.out.empty()) << c << ": " << r.out;
    EXPECT_TRUE(contains(r.err, "not built yet")) << c << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Cli, ListShowsShippedSpacesProfilesAndNames) {
  auto r = run_nas("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"mobilenet_tiny", "nas_bench_201", "raspberry_pi4", "evolution", "train"})
    EXPECT_TRUE(contains(r.out, s)) << s << "\n" << r.out;
  auto bad = run_nas("list strategis");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "did you mean 'strategies'")) << bad.err;
}

TEST(Cli, VerboseAndQuietExcludeEachOther) {
  auto r = run_nas("list -v -q");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "exclude each other")) << r.err;
}

}  // namespace
}  // namespace nas
