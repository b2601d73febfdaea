#include "nas/graph/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace nas::graph {
namespace {

namespace fs = std::filesystem;

class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nas_safetensors_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // A file with `header` JSON (length field = header size + length_delta)
  // followed by `data_bytes` bytes of data.
  fs::path make(const std::string& name, const std::string& header, std::size_t data_bytes,
                int64_t length_delta = 0) const {
    std::string s;
    const uint64_t n = header.size() + length_delta;
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    s += header;
    s.append(data_bytes, '\0');
    write(path(name), s);
    return path(name);
  }
  // Loading `p` fails with a message naming the file and containing `part`.
  static void expect_error(const fs::path& p, const std::string& part) {
    Result<SafetensorsFile> r = load_safetensors(p);
    ASSERT_FALSE(r) << "loaded " << p;
    const std::string m = r.status().message();
    const std::string file = p.string();
    EXPECT_TRUE(m.find(file) != std::string::npos && m.find(part) != std::string::npos)
        << "message: " << m << "\nexpected to contain: " << file << " and: " << part;
  }

  fs::path dir_;
};

ops::Tensor iota(const ops::Shape& s, float start) {
  ops::Tensor t = ops::Tensor::empty(s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = start + 0.5f * static_cast<float>(i);
  return t;
}

std::map<std::string, ops::Tensor> sample_tensors() {
  return {{"conv.weight", iota({2, 3, 3, 4}, 1.0f)},
          {"bn.gamma", iota({4}, -2.0f)},
          {"scalar", iota({}, 7.0f)},
          {"empty", ops::Tensor::empty({0, 3})}};
}

TEST_F(Safetensors, RoundTripsTensorsAndMetadata) {
  const auto tensors = sample_tensors();
  const std::map<std::string, std::string> meta{{"format", "pt"}, {"arch", "a b\"c"}};
  ASSERT_TRUE(save_safetensors(path("w.safetensors"), tensors, meta));
  Result<SafetensorsFile> r = load_safetensors(path("w.safetensors"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->metadata, meta);
  ASSERT_EQ(r->tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const ops::Tensor& u = r->tensors.at(name);
    EXPECT_EQ(u.shape(), t.shape()) << name;
    EXPECT_EQ(std::memcmp(u.data(), t.data(), t.numel() * sizeof(float)), 0) << name;
  }
  // Only the file itself is left: the temporary was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(Safetensors, LayoutFollowsTheFormat) {
  ASSERT_TRUE(save_safetensors(path("w.safetensors"), sample_tensors()));
  const std::string bytes = read(path("w.safetensors"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);  // data aligned
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.find("__metadata__"), std::string::npos);  // omitted when empty
  // Sorted names, back to back: bn.gamma (16 bytes) first, then conv.weight.
  EXPECT_NE(header.find(R"("bn.gamma":{"data_offsets":[0,16],"dtype":"F32","shape":[4]})"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find(R"("conv.weight":{"data_offsets":[16,304])"), std::string::npos);
  EXPECT_NE(header.find(R"("scalar":{"data_offsets":[304,308],"dtype":"F32","shape":[]})"),
            std::string::npos);
  EXPECT_EQ(bytes.size(), 8 + n + 308);
  float first;
  std::memcpy(&first, bytes.data() + 8 + n, 4);
  EXPECT_EQ(first, -2.0f);  // little-endian float of bn.gamma[0]
}

TEST_F(Safetensors, SaveRejectsBadNames) {
  EXPECT_FALSE(save_safetensors(path("a"), {{"__metadata__", iota({1}, 0)}}));
  EXPECT_FALSE(save_safetensors(path("b"), {{"", iota({1}, 0)}}));
  EXPECT_FALSE(save_safetensors(path("c"), {{"x", ops::Tensor()}}));
  EXPECT_FALSE(save_safetensors(dir_ / "missing_dir" / "d", {{"x", iota({1}, 0)}}));
}

TEST_F(Safetensors, SaveRejectsInvalidUtf8) {
  const Status s = save_safetensors(path("u"), {{"w\xff", iota({1}, 0)}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("cannot encode the header"), std::string::npos) << s.message();
}

TEST_F(Safetensors, CopyIntoChecksNamesAndShapesBeforeCopying) {
  ASSERT_TRUE(save_safetensors(path("w"), {{"a", iota({2}, 1.0f)}, {"b", iota({3}, 5.0f)}}));
  const SafetensorsFile f = load_safetensors(path("w")).take();
  EXPECT_EQ(f.path, path("w"));
  ops::Tensor a = ops::Tensor::zeros({2}), b = ops::Tensor::zeros({3});
  Status s = copy_into(f, {{"a", a}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("unexpected tensor \"b\""), std::string::npos) << s.message();
  EXPECT_EQ(a.data()[1], 0.0f);  // nothing copied on failure
  ASSERT_TRUE(copy_into(f, {{"a", a}}, /*allow_extra=*/true));
  EXPECT_EQ(a.data()[1], 1.5f);
  ops::Tensor wrong = ops::Tensor::zeros({4});
  s = copy_into(f, {{"a", a}, {"b", wrong}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor \"b\" has shape [3], expected [4]"), std::string::npos);
  s = copy_into(f, {{"a", a}, {"b", b}, {"c", b}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor \"c\" is missing"), std::string::npos);
  ASSERT_TRUE(copy_into(f, {{"a", a}, {"b", b}}));
  EXPECT_EQ(b.data()[2], 6.0f);
}

const char kTwo[] = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                    R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";

TEST_F(Safetensors, HandMadeFileLoads) {
  Result<SafetensorsFile> r = load_safetensors(make("ok", kTwo, 12));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->tensors.at("a").shape(), (ops::Shape{2}));
}

TEST_F(Safetensors, RefusesTruncatedFiles) {
  write(path("tiny"), "abc");
  expect_error(path("tiny"), "truncated: 3 bytes");
  expect_error(make("past_eof", kTwo, 12, /*length_delta=*/100), "runs past the end of the file");
  expect_error(make("cut_data", kTwo, 10), "out of range of the 10-byte data section");
  ASSERT_TRUE(save_safetensors(path("w"), sample_tensors()));
  const std::string full = read(path("w"));
  write(path("w_cut"), full.substr(0, full.size() - 4));
  expect_error(path("w_cut"), "out of range");
  expect_error(make("trailing", kTwo, 16), "tensors cover 12 (truncated or trailing bytes)");
  expect_error(path("does_not_exist"), "cannot open");
}

TEST_F(Safetensors, RefusesBadJson) {
  expect_error(make("json", R"({"a": {"dtype": )", 0), "header is not valid JSON");
  expect_error(make("array", "[1,2]", 0), "header is not a JSON object");
  expect_error(make("entry", R"({"a": 3})", 0), "tensor \"a\": entry is not a JSON object");
  expect_error(make("key", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", 4),
               "unknown key \"x\"");
  expect_error(make("noshape", R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", 4),
               "missing array \"shape\"");
  expect_error(make("negshape", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
               "non-negative integers");
  expect_error(make("offs", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4),
               "\"data_offsets\" must be two non-negative integers");
  expect_error(make("meta", R"({"__metadata__":{"k":1}})", 0),
               "__metadata__ value of \"k\" is not a string");
  expect_error(
      make("rank", R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1],"data_offsets":[0,4]}})", 4),
      "rank 7 exceeds the maximum 6");
}

TEST_F(Safetensors, RefusesOtherDtypes) {
  expect_error(make("f33", R"({"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", 4),
               "tensor \"a\": unknown dtype \"F33\"");
  expect_error(make("f16", R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4),
               "dtype F16 is not supported (only F32)");
}

TEST_F(Safetensors, RefusesBadOffsets) {
  expect_error(make("range", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 8),
               "data_offsets [4, 12] out of range of the 8-byte data section");
  expect_error(make("reversed", R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", 8),
               "out of range");
  expect_error(make("overlap",
                    R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                    12),
               "tensor \"b\": data_offsets [4, 12] overlap the previous tensor, which ends at 8");
  expect_error(make("gap",
                    R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                    20),
               "leaving a gap after byte 8");
  expect_error(make("mismatch", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
               "shape [3] needs 12 bytes but data_offsets [0, 8] hold 8");
}

// Interoperability: a reader written from the format description in Python
// (json + struct, and torch when importable) reads our file, and our reader
// reads a file that Python wrote. Skipped without /usr/bin/python3.
TEST_F(Safetensors, PythonReadsAndWritesTheSameFormat) {
  const char* python = "/usr/bin/python3";
  if (::access(python, X_OK) != 0) GTEST_SKIP() << python << " is not available";
  ASSERT_TRUE(save_safetensors(path("ours.safetensors"), sample_tensors(), {{"k", "v"}}));
  write(path("check.py"), R"PY(
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert (8 + n) % 8 == 0, "unaligned data"
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
assert header.pop("__metadata__") == {"k": "v"}
assert sorted(header) == ["bn.gamma", "conv.weight", "empty", "scalar"], sorted(header)
def values(name):
    e = header[name]
    assert e["dtype"] == "F32"
    b, end = e["data_offsets"]
    count = 1
    for d in e["shape"]:
        count *= d
    assert end - b == 4 * count
    return list(struct.unpack("<%df" % count, data[b:end])), e["shape"]
v, shape = values("conv.weight")
assert shape == [2, 3, 3, 4] and v[0] == 1.0 and v[-1] == 1.0 + 0.5 * 71, (shape, v[-1])
v, shape = values("scalar")
assert shape == [] and v == [7.0]
try:
    import torch
    t = torch.frombuffer(bytearray(data[16:304]), dtype=torch.float32).reshape(2, 3, 3, 4)
    assert float(t[1, 2, 2, 3]) == 1.0 + 0.5 * 71
except ImportError:
    pass
# Python writes: names deliberately out of order in the header.
tensors = {"z": ([3], [1.5, -2.0, 3.25]), "y": ([2, 1], [4.0, 5.0])}
hdr, blob = {"__metadata__": {"from": "python"}}, b""
for name in ["y", "z"]:
    shape, vals = tensors[name]
    hdr[name] = {"dtype": "F32", "shape": shape,
                 "data_offsets": [len(blob), len(blob) + 4 * len(vals)]}
    blob += struct.pack("<%df" % len(vals), *vals)
h = json.dumps({"z": hdr["z"], "__metadata__": hdr["__metadata__"], "y": hdr["y"]}).encode()
h += b" " * ((8 - len(h) % 8) % 8)
open(dst, "wb").write(struct.pack("<Q", len(h)) + h + blob)
print("ok")
)PY");
  const std::string cmd = std::string(python) + " " + path("check.py").string() + " " +
                          path("ours.safetensors").string() + " " +
                          path("theirs.safetensors").string() + " > " + path("out.txt").string() +
                          " 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << read(path("out.txt"));
  Result<SafetensorsFile> r = load_safetensors(path("theirs.safetensors"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->metadata.at("from"), "python");
  ASSERT_EQ(r->tensors.at("z").shape(), (ops::Shape{3}));
  EXPECT_EQ(r->tensors.at("z").data()[2], 3.25f);
  EXPECT_EQ(r->tensors.at("y").shape(), (ops::Shape{2, 1}));
  EXPECT_EQ(r->tensors.at("y").data()[1], 5.0f);
}

}  // namespace
}  // namespace nas::graph
