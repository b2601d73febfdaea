#include "nas/train/data/idx_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>

#include "nas/train/data/fashion_mnist.h"
#include "tests/nas/train/test_files.h"

namespace nas::train {
namespace {

using testing::TempDir;
using testing::write_bytes;

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// An IDX image file of n images of h x w, pixel (i, y, x) = (i + y + x) % 256.
std::string idx_images(uint32_t n, uint32_t h, uint32_t w) {
  std::string s = be32(kIdxMagicImages) + be32(n) + be32(h) + be32(w);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t y = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x) s.push_back(static_cast<char>((i + y + x) % 256));
  return s;
}

std::string idx_labels(uint32_t n, uint32_t classes) {
  std::string s = be32(kIdxMagicLabels) + be32(n);
  for (uint32_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % classes));
  return s;
}

std::string gzip(const std::string& raw) {
  uLongf size = compressBound(raw.size()) + 64;
  std::string out(size, '\0');
  z_stream z{};
  // windowBits 15 + 16: a gzip (not zlib) wrapper, as the .gz files have.
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = raw.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = size;
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(IdxFile, ReadsPlainAndGzipFiles) {
  TempDir dir;
  const std::string raw = idx_images(3, 4, 5);
  write_bytes(dir.path() / "plain", raw);
  write_bytes(dir.path() / "packed.gz", gzip(raw));
  for (const char* name : {"plain", "packed.gz"}) {
    Result<IdxArray> a = read_idx_file(dir.path() / name, kIdxMagicImages);
    ASSERT_TRUE(a) << a.status().message();
    EXPECT_EQ(a->dims, (std::vector<int64_t>{3, 4, 5}));
    ASSERT_EQ(a->data.size(), 60u);
    EXPECT_EQ(a->data[2 * 20 + 3 * 5 + 4], (2 + 3 + 4) % 256);
  }
}

TEST(IdxFile, BadMagicNamesFileAndBothNumbers) {
  TempDir dir;
  const auto p = dir.path() / "train-images-idx3-ubyte.gz";
  write_bytes(p, gzip(idx_labels(10, 10)));
  Result<IdxArray> a = read_idx_file(p, kIdxMagicImages);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.status().message(), "failed to read IDX file " + p.string() +
                                      ": bad magic 0x00000801, expected 0x00000803");
}

TEST(IdxFile, TruncatedAndTrailingDataFail) {
  TempDir dir;
  const std::string raw = idx_images(2, 3, 3);
  write_bytes(dir.path() / "short", raw.substr(0, raw.size() - 1));
  Result<IdxArray> a = read_idx_file(dir.path() / "short", kIdxMagicImages);
  ASSERT_FALSE(a);
  EXPECT_NE(
      a.status().message().find("truncated: dimensions 2x3x3 need 18 data bytes, file has 17"),
      std::string::npos)
      << a.status().message();
  EXPECT_NE(a.status().message().find((dir.path() / "short").string()), std::string::npos);

  write_bytes(dir.path() / "long", raw + "x");
  a = read_idx_file(dir.path() / "long", kIdxMagicImages);
  ASSERT_FALSE(a);
  EXPECT_NE(a.status().message().find("trailing data"), std::string::npos);

  write_bytes(dir.path() / "header", raw.substr(0, 9));
  a = read_idx_file(dir.path() / "header", kIdxMagicImages);
  ASSERT_FALSE(a);
  EXPECT_NE(a.status().message().find("truncated header"), std::string::npos);

  write_bytes(dir.path() / "tiny", "ab");
  EXPECT_FALSE(read_idx_file(dir.path() / "tiny", kIdxMagicImages));
}

TEST(IdxFile, CutGzipStreamFails) {
  TempDir dir;
  const std::string gz = gzip(idx_images(20, 28, 28));
  write_bytes(dir.path() / "cut.gz", gz.substr(0, gz.size() / 2));
  Result<IdxArray> a = read_idx_file(dir.path() / "cut.gz", kIdxMagicImages);
  ASSERT_FALSE(a);
  EXPECT_NE(a.status().message().find("cut.gz"), std::string::npos) << a.status().message();
}

TEST(IdxFile, MissingFile) {
  Result<IdxArray> a = read_idx_file("/nonexistent/x.gz", kIdxMagicLabels);
  ASSERT_FALSE(a);
  EXPECT_NE(a.status().message().find("/nonexistent/x.gz"), std::string::npos);
}

TEST(FashionMnist, MissingFolderNamesPackageAndFile) {
  Result<Dataset> d = load_fashion_mnist(DataSplit::kTrain, "/nonexistent/fmnist");
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("apt-get install dataset-fashion-mnist"), std::string::npos);
  EXPECT_NE(d.status().message().find("/nonexistent/fmnist/train-images-idx3-ubyte.gz"),
            std::string::npos)
      << d.status().message();
}

TEST(FashionMnist, LoadsFromAnotherFolder) {
  TempDir dir;
  write_bytes(dir.path() / "t10k-images-idx3-ubyte.gz", gzip(idx_images(12, 28, 28)));
  write_bytes(dir.path() / "t10k-labels-idx1-ubyte.gz", gzip(idx_labels(12, 10)));
  Result<Dataset> d = load_fashion_mnist(DataSplit::kTest, dir.path());
  ASSERT_TRUE(d) << d.status().message();
  EXPECT_EQ(d->size(), 12);
  EXPECT_EQ(d->labels[11], 1);
  EXPECT_FLOAT_EQ(d->image(5)[2 * 28 + 3], (5 + 2 + 3) / 255.0f);

  write_bytes(dir.path() / "t10k-labels-idx1-ubyte.gz", gzip(idx_labels(11, 10)));
  d = load_fashion_mnist(DataSplit::kTest, dir.path());
  ASSERT_FALSE(d);
  EXPECT_NE(d.status().message().find("12 images but t10k-labels-idx1-ubyte.gz has 11 labels"),
            std::string::npos)
      << d.status().message();
}

// The real 10k test set (the 60k train set is not decoded here, to keep the
// suite fast); skipped when the Debian package is not installed.
TEST(FashionMnist, RealTestSet) {
  if (!std::filesystem::exists(std::filesystem::path(kFashionMnistDefaultDir) /
                               "t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  Result<Dataset> d = load_fashion_mnist(DataSplit::kTest);
  ASSERT_TRUE(d) << d.status().message();
  EXPECT_EQ(d->size(), 10000);
  EXPECT_EQ(d->height, 28);
  EXPECT_EQ(d->width, 28);
  EXPECT_EQ(d->channels, 1);
  std::array<int, 10> per_class{};
  for (int32_t l : d->labels) ++per_class[l];
  for (int c : per_class) EXPECT_EQ(c, 1000);  // the published test set is balanced
  double sum = 0;
  float lo = 1, hi = 0;
  for (float v : d->images) {
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  EXPECT_NEAR(sum / d->images.size(), 0.2868, 0.01);  // the commonly quoted mean
}

}  // namespace
}  // namespace nas::train
