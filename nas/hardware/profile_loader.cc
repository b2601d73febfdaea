#include "nas/hardware/profile_loader.h"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "nas/config/portable_name.h"
#include "nas/config/yaml_reader.h"
#include "nas/hardware/latency_table.h"
#include "nas/hardware/op_class.h"
#include "ops/core/op_registry.h"

namespace nas::hardware {
namespace {

namespace fs = std::filesystem;
using config::IntBounds;
using config::Location;
using config::MapReader;
using config::Need;
using config::NumberBounds;
using config::YamlSource;

const std::vector<std::string> kTopKeys = {"name",     "kind",       "description", "compute",
                                           "memory",   "caches",     "overhead",    "efficiency",
                                           "energy",   "fusion",     "lut"};
const std::vector<std::string> kKinds = {"cpu", "gpu", "npu", "mcu"};
const std::vector<std::string> kPrecisions = {"fp32", "fp16", "int8"};
constexpr const char* kRequired = "at least name, kind, compute, memory";
// The fusion token matching every standalone activation op.
constexpr const char* kActivationToken = "activation";

const NumberBounds kPositive = NumberBounds::above(0);
const NumberBounds kNonNegative = NumberBounds::at_least(0);
const NumberBounds kEfficiency{0.0, true, 1.0, false};  // (0, 1]

struct Reader {
  YamlSource& src;
  HardwareProfile& p;

  // A sub-map of the profile; nullopt (after a diagnostic if it was wrong) otherwise.
  std::optional<MapReader> section(MapReader& top, const char* key, Need need,
                                   std::vector<std::string> keys) {
    auto node = top.map(key, need);
    if (!node) return std::nullopt;
    return MapReader(src, *node, key, key, top.key_location(key), std::move(keys));
  }

  void read_number(MapReader& r, const char* key, double& out, const NumberBounds& b,
                   Need need = Need::kOptional) {
    if (auto v = r.number(key, need, b)) out = v->value;
  }
  void read_bytes(MapReader& r, const char* key, int64_t& out) {
    if (auto v = r.integer(key, Need::kOptional, IntBounds::at_least(0))) out = v->value;
  }

  void read_compute(MapReader& top) {
    auto r = section(top, "compute", Need::kRequired,
                     {"cores", "precision", "fp32_gflops", "fp16_gflops", "int8_gops"});
    if (!r) return;
    if (auto v = r->integer("cores", Need::kOptional, IntBounds::between(1, 1 << 20)))
      p.cores = static_cast<int>(v->value);
    if (auto v = r->choice("precision", Need::kOptional, kPrecisions))
      p.precision = static_cast<Precision>(v->value);
    read_number(*r, "fp32_gflops", p.fp32_gflops, kPositive);
    read_number(*r, "fp16_gflops", p.fp16_gflops, kPositive);
    read_number(*r, "int8_gops", p.int8_gops, kPositive);
    // The roofline needs the peak of the format the networks run in.
    const char* needed = p.precision == Precision::kInt8   ? "int8_gops"
                         : p.precision == Precision::kFp16 ? "fp16_gflops"
                                                           : "fp32_gflops";
    if (!r->has(needed)) r->missing(needed);
  }

  void read_memory(MapReader& top) {
    auto r = section(top, "memory", Need::kRequired,
                     {"bandwidth_gbs", "capacity_bytes", "sram_bytes", "flash_bytes"});
    if (!r) return;
    read_number(*r, "bandwidth_gbs", p.bandwidth_gbs, kPositive, Need::kRequired);
    read_bytes(*r, "capacity_bytes", p.memory_bytes);
    read_bytes(*r, "sram_bytes", p.sram_bytes);
    read_bytes(*r, "flash_bytes", p.flash_bytes);
  }

  void read_caches(MapReader& top) {
    auto r = section(top, "caches", Need::kOptional, {"l1d_bytes", "l2_bytes", "l3_bytes"});
    if (!r) return;
    read_bytes(*r, "l1d_bytes", p.l1_bytes);
    read_bytes(*r, "l2_bytes", p.l2_bytes);
    read_bytes(*r, "l3_bytes", p.l3_bytes);
  }

  void read_overhead(MapReader& top) {
    auto r = section(top, "overhead", Need::kOptional, {"per_layer_us"});
    if (!r) return;
    read_number(*r, "per_layer_us", p.per_layer_us, kNonNegative);
  }

  void read_efficiency(MapReader& top) {
    auto r = section(top, "efficiency", Need::kOptional, op_class_names());
    if (!r) return;
    for (int c = 0; c < kNumOpClasses; ++c)
      read_number(*r, op_class_name(static_cast<OpClass>(c)), p.efficiency[c], kEfficiency);
  }

  void read_energy(MapReader& top) {
    auto r = section(top, "energy", Need::kOptional, {"pj_per_flop", "pj_per_dram_byte", "static_w"});
    if (!r) return;
    read_number(*r, "pj_per_flop", p.pj_per_flop, kNonNegative);
    read_number(*r, "pj_per_dram_byte", p.pj_per_dram_byte, kNonNegative);
    read_number(*r, "static_w", p.static_w, kNonNegative);
  }

  // fusion: [[conv2d, batch_norm, activation], ...]: each rule a list of at
  // least two tokens, each an op registry name or "activation".
  void read_fusion(MapReader& top) {
    auto list = top.list("fusion", Need::kOptional);
    if (!list) return;
    std::vector<std::string> valid = ops::op_registry().names();
    valid.push_back(kActivationToken);
    const Location list_at = top.key_location("fusion");
    for (size_t i = 0; i < list->size(); ++i) {
      const YAML::Node rule = (*list)[i];
      const std::string path = "fusion[" + std::to_string(i) + "]";
      const Location at = rule.IsNull() ? list_at : src.at(rule.Mark());
      if (!rule.IsSequence()) {
        src.error(at, path + ": expected a list of op names like [conv2d, batch_norm, activation], got " +
                          config::describe(rule));
        continue;
      }
      if (rule.size() < 2 || rule.size() > kMaxFusionLength) {
        src.error(at, path + ": a fusion rule lists 2 to " + std::to_string(kMaxFusionLength) +
                          " ops, got " + std::to_string(rule.size()));
        continue;
      }
      if (i >= kMaxFusionRules) {
        src.error(at, path + ": at most " + std::to_string(kMaxFusionRules) +
                          " fusion rules per profile");
        continue;
      }
      std::vector<std::string> chain;
      bool ok = true;
      for (size_t j = 0; j < rule.size(); ++j) {
        const std::string item_path = path + "[" + std::to_string(j) + "]";
        auto token = config::read_string(src, rule[j], item_path, at);
        if (!token) {
          ok = false;
          continue;
        }
        bool known = false;
        for (const std::string& v : valid) known = known || v == token->value;
        if (!known) {
          src.error(token->where, item_path + ": " +
                                      config::unknown_name("fusion op", "ops", token->value, valid));
          ok = false;
          continue;
        }
        chain.push_back(token->value);
      }
      if (ok) p.fusion.push_back(std::move(chain));
    }
  }

  // lut: FILE, or lut: {file: FILE, threads: N, batch: B}; FILE is relative
  // to the profile's folder. The table is loaded here so its errors are
  // reported with the profile's.
  void read_lut(MapReader& top) {
    if (!top.has("lut")) return;
    const YAML::Node node = top.get("lut");
    std::optional<config::Located<fs::path>> file;
    if (node.IsMap()) {
      MapReader r(src, node, "lut", "lut", top.key_location("lut"), {"file", "threads", "batch"});
      file = r.path("file", Need::kRequired, config::PathKind::kFile);
      if (auto v = r.integer("threads", Need::kOptional, IntBounds::at_least(1)))
        p.threads = static_cast<int>(v->value);
      if (auto v = r.integer("batch", Need::kOptional, IntBounds::at_least(1))) p.batch = v->value;
    } else if (node.IsScalar()) {
      file = config::read_path(src, node, "lut", top.value_location("lut"), config::PathKind::kFile);
    } else {
      src.error(top.value_location("lut"),
                "lut: expected a path to a latency table CSV or a map with file, threads, batch, got " +
                    config::describe(node));
      return;
    }
    if (!file) return;
    p.lut = file->value;
    if (!LatencyTable::load(p.lut, src.diagnostics()))
      src.error(file->where, "lut: the latency table '" + p.lut.string() + "' has errors");
  }
};

// Shortest text that reads back as the same double.
std::string number_text(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

}  // namespace

std::optional<HardwareProfile> load_hardware_profile(const fs::path& path,
                                                     config::Diagnostics& diagnostics) {
  config::Diagnostics found;
  YamlSource src(path.string(), found);
  HardwareProfile p;
  p.source = path;
  if (auto root = config::load_yaml_map(src, "hardware profile", kRequired)) {
    MapReader top(src, *root, "", "hardware profile", src.at(root->Mark()), kTopKeys);
    Reader r{src, p};
    if (auto name = top.string("name", Need::kRequired)) {
      if (!config::is_portable_name(name->value))
        src.error(name->where, std::string("name: expected ") + config::kPortableNameRule +
                                   ", got '" + name->value + "'");
      p.name = name->value;
    }
    if (auto kind = top.choice("kind", Need::kRequired, kKinds))
      p.kind = static_cast<DeviceKind>(kind->value);
    if (auto d = top.string("description", Need::kOptional)) p.description = d->value;
    r.read_compute(top);
    r.read_memory(top);
    r.read_caches(top);
    r.read_overhead(top);
    r.read_efficiency(top);
    r.read_energy(top);
    r.read_fusion(top);
    r.read_lut(top);
  }
  const bool ok = found.empty();
  found.sort_by_location();
  diagnostics.append(found);
  if (!ok) return std::nullopt;
  return p;
}

std::string write_hardware_profile(const HardwareProfile& p) {
  std::ostringstream out;
  auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (const char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      if (c == '\n') {
        q += "\\n";
        continue;
      }
      q += c;
    }
    return q + "\"";
  };
  out << "name: " << p.name << "\n"
      << "kind: " << kKinds[static_cast<int>(p.kind)] << "\n";
  if (!p.description.empty()) out << "description: " << quoted(p.description) << "\n";
  out << "compute: {cores: " << p.cores << ", precision: " << kPrecisions[static_cast<int>(p.precision)];
  if (p.fp32_gflops > 0) out << ", fp32_gflops: " << number_text(p.fp32_gflops);
  if (p.fp16_gflops > 0) out << ", fp16_gflops: " << number_text(p.fp16_gflops);
  if (p.int8_gops > 0) out << ", int8_gops: " << number_text(p.int8_gops);
  out << "}\n"
      << "memory: {bandwidth_gbs: " << number_text(p.bandwidth_gbs);
  if (p.memory_bytes > 0) out << ", capacity_bytes: " << p.memory_bytes;
  if (p.sram_bytes > 0) out << ", sram_bytes: " << p.sram_bytes;
  if (p.flash_bytes > 0) out << ", flash_bytes: " << p.flash_bytes;
  out << "}\n";
  if (p.l1_bytes > 0 || p.l2_bytes > 0 || p.l3_bytes > 0) {
    std::string sep;
    out << "caches: {";
    if (p.l1_bytes > 0) out << "l1d_bytes: " << p.l1_bytes, sep = ", ";
    if (p.l2_bytes > 0) out << sep << "l2_bytes: " << p.l2_bytes, sep = ", ";
    if (p.l3_bytes > 0) out << sep << "l3_bytes: " << p.l3_bytes;
    out << "}\n";
  }
  out << "overhead: {per_layer_us: " << number_text(p.per_layer_us) << "}\n"
      << "efficiency: {";
  for (int c = 0; c < kNumOpClasses; ++c)
    out << (c ? ", " : "") << op_class_name(static_cast<OpClass>(c)) << ": "
        << number_text(p.efficiency[c]);
  out << "}\n"
      << "energy: {pj_per_flop: " << number_text(p.pj_per_flop)
      << ", pj_per_dram_byte: " << number_text(p.pj_per_dram_byte)
      << ", static_w: " << number_text(p.static_w) << "}\n";
  if (!p.fusion.empty()) {
    out << "fusion: [";
    for (size_t i = 0; i < p.fusion.size(); ++i) {
      out << (i ? ", [" : "[");
      for (size_t j = 0; j < p.fusion[i].size(); ++j) out << (j ? ", " : "") << p.fusion[i][j];
      out << "]";
    }
    out << "]\n";
  }
  if (!p.lut.empty()) {
    fs::path file = p.lut;
    if (!p.source.empty()) {
      // Relative to the profile's folder when the table lies inside it.
      const fs::path folder = p.source.parent_path().lexically_normal();
      const fs::path rel = p.lut.lexically_normal().lexically_relative(folder.empty() ? "." : folder);
      if (!rel.empty() && *rel.begin() != "..") file = rel;
    }
    out << "lut: {file: " << quoted(file.string());
    if (p.threads > 0) out << ", threads: " << p.threads;
    out << ", batch: " << p.batch << "}\n";
  }
  return out.str();
}

}  // namespace nas::hardware
