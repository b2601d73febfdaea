#include "nas/train/data/idx_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace nas::train {
namespace {

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// The whole (decompressed) content. zlib reads plain files transparently.
Result<std::vector<uint8_t>> read_all(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::error(what + "no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::error(what + std::strerror(errno ? errno : ENOENT));
  }
  gzbuffer(f, 1 << 20);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      std::string msg = gzerror(f, &code);
      gzclose(f);
      return Status::error(what + "corrupt gzip data (" + msg + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  // A gzip stream cut short ends without an error from gzread on some zlib
  // versions; gzerror still reports it.
  int code = 0;
  const char* msg = gzerror(f, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    std::string m = msg;
    gzclose(f);
    return Status::error(what + "corrupt or truncated gzip data (" + m + ")");
  }
  gzclose(f);
  return out;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

Result<IdxArray> read_idx_file(const std::filesystem::path& path, uint32_t expected_magic) {
  const std::string what = "failed to read IDX file " + path.string() + ": ";
  Result<std::vector<uint8_t>> bytes = read_all(path, what);
  if (!bytes) return bytes.status();
  std::vector<uint8_t>& b = bytes.value();
  if (b.size() < 4)
    return Status::error(what + "file is " + std::to_string(b.size()) +
                         " bytes, too short for the magic number");
  const uint32_t magic = be32(b.data());
  if (magic != expected_magic)
    return Status::error(what + "bad magic " + hex32(magic) + ", expected " +
                         hex32(expected_magic));
  const int ndims = static_cast<int>(magic & 0xff);
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(ndims);
  if (b.size() < header)
    return Status::error(what + "truncated header: " + std::to_string(ndims) + " dimensions need " +
                         std::to_string(header) + " bytes, file has " + std::to_string(b.size()));
  IdxArray out;
  uint64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    const uint32_t dim = be32(b.data() + 4 + 4 * d);
    out.dims.push_back(dim);
    count *= dim;
    if (count > (uint64_t{1} << 40))
      return Status::error(what + "dimensions are implausibly large");
  }
  const uint64_t have = b.size() - header;
  if (have != count) {
    std::string dims;
    for (int64_t d : out.dims) {
      if (!dims.empty()) dims += 'x';
      dims += std::to_string(d);
    }
    return Status::error(what + (have < count ? "truncated: " : "trailing data: ") + "dimensions " +
                         dims + " need " + std::to_string(count) + " data bytes, file has " +
                         std::to_string(have));
  }
  b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(header));
  out.data = std::move(b);
  return out;
}

}  // namespace nas::train
