#include "nas/search/run_folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {
namespace fs = std::filesystem;

TEST(RunFolder, CreateWritesFilesAndRefusesReuse) {
  testing::TempDir tmp;
  const fs::path run = fs::path(tmp.path()) / "runs" / "exp";
  ASSERT_TRUE(prepare_run_folder(run, RunFolderMode::kCreate, {{"config.yaml", "a: 1\n"}}).is_ok());
  EXPECT_EQ(testing::read_file(run / "config.yaml"), "a: 1\n");
  Status again = prepare_run_folder(run, RunFolderMode::kCreate, {{"config.yaml", "a: 2\n"}});
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.message().find("--resume"), std::string::npos);
  EXPECT_NE(again.message().find("--force"), std::string::npos);
  EXPECT_EQ(testing::read_file(run / "config.yaml"), "a: 1\n");  // nothing lost
  // No temporary folders are left beside it.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(run.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(RunFolder, ForceReplacesAndResumeChecks) {
  testing::TempDir tmp;
  const fs::path run = fs::path(tmp.path()) / "exp";
  ASSERT_TRUE(prepare_run_folder(run, RunFolderMode::kCreate, {{"config.yaml", "a: 1\n"}, {"old", "x"}}).is_ok());
  ASSERT_TRUE(prepare_run_folder(run, RunFolderMode::kForce, {{"config.yaml", "a: 2\n"}}).is_ok());
  EXPECT_EQ(testing::read_file(run / "config.yaml"), "a: 2\n");
  EXPECT_FALSE(fs::exists(run / "old"));
  EXPECT_TRUE(prepare_run_folder(run, RunFolderMode::kResume, {}).is_ok());
  Status missing = prepare_run_folder(fs::path(tmp.path()) / "nope", RunFolderMode::kResume, {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.message().find("no such run folder"), std::string::npos);
  fs::create_directory(fs::path(tmp.path()) / "plain");
  Status plain = prepare_run_folder(fs::path(tmp.path()) / "plain", RunFolderMode::kResume, {});
  ASSERT_FALSE(plain.is_ok());
  EXPECT_NE(plain.message().find("not a run folder"), std::string::npos);
}

}  // namespace
}  // namespace nas
