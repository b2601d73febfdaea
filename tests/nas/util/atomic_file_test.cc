#include "nas/util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {
namespace fs = std::filesystem;

TEST(AtomicFile, WritesAndReplacesWithoutLeftovers) {
  testing::TempDir dir;
  const fs::path p = fs::path(dir.path()) / "a.txt";
  ASSERT_TRUE(write_file_atomic(p, "one").is_ok());
  ASSERT_TRUE(write_file_atomic(p, "two").is_ok());
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "two");
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, MissingFolderIsAnError) {
  Status s = write_file_atomic("/nonexistent_dir_xyz/a.txt", "x");
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("failed to create"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace nas
