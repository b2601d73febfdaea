#include "nas/graph/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "nas/util/atomic_file.h"

namespace nas::graph {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; add byte swapping for this host");

// The reference implementation refuses headers above 100 MB; so do we, so a
// corrupt length cannot make us allocate gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Every dtype the format defines; only F32 is loadable here.
constexpr const char* kKnownDtypes[] = {"BOOL", "U8",   "I8",  "I16",     "U16",
                                        "F16",  "BF16", "I32", "U32",     "F32",
                                        "F64",  "I64",  "U64", "F8_E5M2", "F8_E4M3"};

void put_u64_le(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

Status save_safetensors(const std::filesystem::path& path,
                        const std::map<std::string, ops::Tensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  const std::string what = "failed to save safetensors file " + path.string() + ": ";
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {  // std::map: sorted names
    if (name.empty() || name == "__metadata__")
      return Status::error(what + "invalid tensor name \"" + name + "\"");
    if (!t.defined()) return Status::error(what + "tensor " + name + " is undefined");
    std::vector<int64_t> shape;
    for (int i = 0; i < t.rank(); ++i) shape.push_back(t.dim(i));
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * sizeof(float);
    header[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json;
  try {
    json = header.dump();
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a name or metadata
    return Status::error(what + "cannot encode the header: " + e.what());
  }
  // Pad so that 8 + header length is a multiple of 8: data stays aligned.
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string content;
  content.reserve(8 + json.size() + offset);
  put_u64_le(content, json.size());
  content += json;
  for (const auto& [name, t] : tensors) {
    if (t.numel() > 0)
      content.append(reinterpret_cast<const char*>(t.data()), t.numel() * sizeof(float));
  }
  Status s = write_file_atomic(path, content);
  if (!s) return Status::error(what + s.message());
  return Status::ok();
}

Result<SafetensorsFile> load_safetensors(const std::filesystem::path& path) {
  const std::string what = "failed to load safetensors file " + path.string() + ": ";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(what + "cannot open it (" + std::strerror(errno) + ")");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (in.bad()) return Status::error(what + "read error");
  const uint64_t size = bytes.size();
  if (size < 8)
    return Status::error(what + "truncated: " + std::to_string(size) +
                         " bytes, less than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  if (n > size - 8)
    return Status::error(what + "header length " + std::to_string(n) +
                         " runs past the end of the file (" + std::to_string(size) + " bytes)");
  if (n > kMaxHeaderBytes)
    return Status::error(what + "header length " + std::to_string(n) + " exceeds the " +
                         std::to_string(kMaxHeaderBytes) + "-byte limit");
  const nlohmann::json header =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(n), nullptr,
                            /*allow_exceptions=*/false);
  if (header.is_discarded()) return Status::error(what + "header is not valid JSON");
  if (!header.is_object()) return Status::error(what + "header is not a JSON object");

  const char* data = bytes.data() + 8 + n;
  const uint64_t data_size = size - 8 - n;
  SafetensorsFile out;
  out.path = path;
  struct Span {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return Status::error(what + "__metadata__ is not a JSON object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string())
          return Status::error(what + "__metadata__ value of \"" + k + "\" is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string tw = what + "tensor \"" + name + "\": ";
    if (!entry.is_object()) return Status::error(tw + "entry is not a JSON object");
    for (const auto& [k, v] : entry.items()) {
      if (k != "dtype" && k != "shape" && k != "data_offsets")
        return Status::error(tw + "unknown key \"" + k +
                             "\" (expected dtype, shape, data_offsets)");
    }
    if (!entry.contains("dtype") || !entry["dtype"].is_string())
      return Status::error(tw + "missing string \"dtype\"");
    const std::string dtype = entry["dtype"].get<std::string>();
    if (dtype != "F32") {
      const bool known = std::any_of(std::begin(kKnownDtypes), std::end(kKnownDtypes),
                                     [&](const char* d) { return dtype == d; });
      return Status::error(tw + (known ? "dtype " + dtype + " is not supported (only F32)"
                                       : "unknown dtype \"" + dtype + "\""));
    }
    if (!entry.contains("shape") || !entry["shape"].is_array())
      return Status::error(tw + "missing array \"shape\"");
    const nlohmann::json& js = entry["shape"];
    if (js.size() > static_cast<std::size_t>(ops::Shape::kMaxRank))
      return Status::error(tw + "rank " + std::to_string(js.size()) + " exceeds the maximum " +
                           std::to_string(ops::Shape::kMaxRank));
    ops::Shape shape;
    uint64_t numel = 1;
    for (const nlohmann::json& d : js) {
      if (!d.is_number_unsigned())
        return Status::error(tw + "shape " + js.dump() + " must hold non-negative integers");
      const uint64_t v = d.get<uint64_t>();
      if (v > (uint64_t{1} << 40) || (v != 0 && numel > (uint64_t{1} << 40) / v))
        return Status::error(tw + "shape " + js.dump() + " is implausibly large");
      numel *= v;
      shape.push_back(static_cast<int64_t>(v));
    }
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2 || !entry["data_offsets"][0].is_number_unsigned() ||
        !entry["data_offsets"][1].is_number_unsigned())
      return Status::error(tw + "\"data_offsets\" must be two non-negative integers");
    const uint64_t begin = entry["data_offsets"][0].get<uint64_t>();
    const uint64_t end = entry["data_offsets"][1].get<uint64_t>();
    if (begin > end || end > data_size)
      return Status::error(tw + "data_offsets [" + std::to_string(begin) + ", " +
                           std::to_string(end) + "] out of range of the " +
                           std::to_string(data_size) + "-byte data section");
    if (end - begin != numel * sizeof(float))
      return Status::error(tw + "shape " + shape.str() + " needs " +
                           std::to_string(numel * sizeof(float)) + " bytes but data_offsets [" +
                           std::to_string(begin) + ", " + std::to_string(end) + "] hold " +
                           std::to_string(end - begin));
    ops::Tensor t = ops::Tensor::empty(shape);
    if (numel > 0) std::memcpy(t.data(), data + begin, end - begin);
    out.tensors[name] = t;
    spans.push_back({begin, end, name});
  }
  // The format stores tensors back to back: no overlap, no holes.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  for (const Span& s : spans) {
    if (s.begin < expected)
      return Status::error(what + "tensor \"" + s.name + "\": data_offsets [" +
                           std::to_string(s.begin) + ", " + std::to_string(s.end) +
                           "] overlap the previous tensor, which ends at " +
                           std::to_string(expected));
    if (s.begin > expected)
      return Status::error(what + "tensor \"" + s.name + "\": data_offsets start at " +
                           std::to_string(s.begin) + ", leaving a gap after byte " +
                           std::to_string(expected));
    expected = s.end;
  }
  if (expected != data_size)
    return Status::error(what + "data section is " + std::to_string(data_size) +
                         " bytes but the tensors cover " + std::to_string(expected) +
                         " (truncated or trailing bytes)");
  return out;
}

Status copy_into(const SafetensorsFile& file, const std::map<std::string, ops::Tensor>& targets,
                 bool allow_extra) {
  const std::string what = "failed to restore tensors from " + file.path.string() + ": ";
  for (const auto& [name, t] : targets) {
    auto it = file.tensors.find(name);
    if (it == file.tensors.end()) return Status::error(what + "tensor \"" + name + "\" is missing");
    if (!(it->second.shape() == t.shape()))
      return Status::error(what + "tensor \"" + name + "\" has shape " + it->second.shape().str() +
                           ", expected " + t.shape().str());
  }
  if (!allow_extra) {
    for (const auto& [name, t] : file.tensors) {
      if (!targets.count(name)) return Status::error(what + "unexpected tensor \"" + name + "\"");
    }
  }
  for (const auto& [name, t] : targets) {
    const ops::Tensor& src = file.tensors.at(name);
    if (t.numel() > 0) std::memcpy(t.data(), src.data(), t.numel() * sizeof(float));
  }
  return Status::ok();
}

}  // namespace nas::graph
