#include "nas/train/data/cifar10.h"

#include <gtest/gtest.h>

#include "tests/nas/train/test_files.h"

namespace nas::train {
namespace {

using testing::TempDir;
using testing::write_bytes;

// Record r: label r % 10, planar byte (c, p) = (r + 3 * c + p) % 256.
std::string records(int n, int first = 0) {
  std::string s;
  for (int r = first; r < first + n; ++r) {
    s.push_back(static_cast<char>(r % 10));
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p) s.push_back(static_cast<char>((r + 3 * c + p) % 256));
  }
  return s;
}

TEST(Cifar10, ConvertsPlanarRecordsToNhwc) {
  TempDir dir;
  write_bytes(dir.path() / "test_batch.bin", records(3));
  Result<Dataset> d = load_cifar10(DataSplit::kTest, dir.path());
  ASSERT_TRUE(d) << d.status().message();
  ASSERT_EQ(d->size(), 3);
  EXPECT_EQ(d->height, 32);
  EXPECT_EQ(d->channels, 3);
  EXPECT_EQ(d->labels[2], 2);
  const int r = 2, y = 5, x = 7, c = 1, p = y * 32 + x;
  EXPECT_FLOAT_EQ(d->image(r)[p * 3 + c], ((r + 3 * c + p) % 256) / 255.0f);
}

TEST(Cifar10, TrainConcatenatesFiveBatchesInOrder) {
  TempDir dir;
  for (int i = 1; i <= 5; ++i)
    write_bytes(dir.path() / ("data_batch_" + std::to_string(i) + ".bin"), records(2, 2 * i));
  Result<Dataset> d = load_cifar10(DataSplit::kTrain, dir.path());
  ASSERT_TRUE(d) << d.status().message();
  ASSERT_EQ(d->size(), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d->labels[i], (i + 2) % 10);
}

TEST(Cifar10, Errors) {
  TempDir dir;
  Result<Dataset> d = load_cifar10(DataSplit::kTest, dir.path());
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find((dir.path() / "test_batch.bin").string() + " not found"),
            std::string::npos)
      << d.status().message();

  write_bytes(dir.path() / "test_batch.bin", records(2).substr(0, 5000));
  d = load_cifar10(DataSplit::kTest, dir.path());
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("size 5000 bytes is not a positive multiple of the 3073"),
            std::string::npos)
      << d.status().message();

  std::string bad = records(2);
  bad[3073] = 12;
  write_bytes(dir.path() / "test_batch.bin", bad);
  d = load_cifar10(DataSplit::kTest, dir.path());
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("record 1 has label 12"), std::string::npos);
}

}  // namespace
}  // namespace nas::train
