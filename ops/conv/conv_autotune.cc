#include "ops/conv/conv_autotune.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include <unistd.h>

#include "ops/core/cpu_features.h"
#include "ops/core/parallel.h"

namespace nas::ops {
namespace {

struct Entry {
  ConvAlgo algo;
  double ms;
};

// The key as numbers, so a lookup on the hot path allocates nothing:
// n h w c out_c kernel_h kernel_w stride pad dilation groups pass threads isa.
using Key = std::array<int64_t, 14>;

Key make_key(const ConvParams& p, ConvPass pass) {
  return {p.batch, p.in_h, p.in_w, p.in_c, p.out_c, p.kernel_h, p.kernel_w, p.stride, p.pad,
          p.dilation, p.groups, static_cast<int64_t>(pass), num_threads(),
          static_cast<int64_t>(cpu_features().best)};
}

std::string key_text(const Key& k) {
  std::string s;
  for (int i = 0; i < 14; ++i) {
    if (i) s += ' ';
    if (i == 11) s += conv_pass_name(static_cast<ConvPass>(k[i]));
    else if (i == 13) s += isa_name(static_cast<Isa>(k[i]));
    else s += std::to_string(k[i]);
  }
  return s;
}

std::optional<int64_t> parse_isa(const std::string& s) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512})
    if (s == isa_name(isa)) return static_cast<int64_t>(isa);
  return std::nullopt;
}

struct Cache {
  std::mutex mu;
  std::string path = default_conv_autotune_path();
  bool loaded = false;
  bool write_warned = false;
  std::map<Key, Entry> entries;
};

Cache& cache() {
  static Cache c;
  return c;
}

// The first line of a file this build writes. It names the algorithms the
// timings chose among: a file from a build with another set (an algorithm
// added since) would keep the old choices forever, so it is dropped whole and
// the shapes are timed again.
std::string header_line() {
  std::string s = "# nas conv autotune cache v2 (algorithms:";
  for (ConvAlgo a : kAllConvAlgos) s += std::string(" ") + conv_algo_name(a);
  return s + "): n h w c out_c kernel_h kernel_w stride pad dilation groups pass threads isa "
             "algo ms";
}

// Parses the whole file first, so a corrupt file changes nothing.
void load_locked(Cache& c) {
  c.loaded = true;
  if (c.path.empty()) return;
  std::ifstream in(c.path);
  if (!in) return;  // no file yet
  std::map<Key, Entry> parsed;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.rfind("# nas conv autotune cache", 0) == 0 && line != header_line()) {
      std::fprintf(stderr,
                   "%s:1: note: conv autotune cache written by a build with other algorithms; "
                   "timing its shapes again\n",
                   c.path.c_str());
      return;
    }
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::vector<std::string> tok;
    for (std::string t; ss >> t;) tok.push_back(t);
    bool ok = tok.size() == 16;
    Key key{};
    for (int i = 0; ok && i < 13; ++i) {
      if (i == 11) continue;
      char* end = nullptr;
      const long long v = std::strtoll(tok[i].c_str(), &end, 10);
      ok = *end == '\0' && v >= 0 && !tok[i].empty();
      key[i] = v;
    }
    const std::optional<ConvPass> pass = ok ? parse_conv_pass(tok[11]) : std::nullopt;
    const std::optional<int64_t> isa = ok ? parse_isa(tok[13]) : std::nullopt;
    ok = ok && pass && isa;
    if (ok) {
      key[11] = static_cast<int64_t>(*pass);
      key[13] = *isa;
    }
    std::optional<ConvAlgo> algo = ok ? parse_conv_algo(tok[14]) : std::nullopt;
    ok = ok && algo.has_value() && *algo != ConvAlgo::kAuto;
    double ms = 0;
    if (ok) {
      char* end = nullptr;
      ms = std::strtod(tok[15].c_str(), &end);
      ok = *end == '\0' && ms >= 0;
    }
    if (!ok) {
      std::fprintf(stderr, "%s:%d: warning: ignoring corrupt conv autotune cache file\n",
                   c.path.c_str(), line_no);
      return;
    }
    parsed[key] = {*algo, ms};
  }
  for (auto& [k, e] : parsed) c.entries.emplace(k, e);  // memory wins over file
}

void save_locked(Cache& c) {
  if (c.path.empty()) return;
  std::error_code ec;
  const std::filesystem::path path(c.path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::string tmp = c.path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << header_line() << '\n';
    for (const auto& [k, e] : c.entries)
      out << key_text(k) << ' ' << conv_algo_name(e.algo) << ' ' << e.ms << '\n';
    if (!out) ec = std::make_error_code(std::errc::io_error);
  }
  if (!ec) std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    if (!c.write_warned)
      std::fprintf(stderr, "warning: cannot write conv autotune cache %s\n", c.path.c_str());
    c.write_warned = true;
  }
}

}  // namespace

std::string default_conv_autotune_path() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/nas/conv_algos.txt";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/nas/conv_algos.txt";
  return "";
}

void set_conv_autotune_path(const std::string& path) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.path = path;
  c.loaded = false;
  c.write_warned = false;
}

std::string conv_autotune_path() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.path;
}

void clear_conv_autotune_memory() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.entries.clear();
  c.loaded = false;
}

std::string conv_autotune_key(const ConvParams& p, ConvPass pass) {
  return key_text(make_key(p, pass));
}

std::optional<ConvAlgo> conv_autotune_lookup(const ConvParams& p, ConvPass pass) {
  const Key key = make_key(p, pass);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (!c.loaded) load_locked(c);
  auto it = c.entries.find(key);
  if (it == c.entries.end()) return std::nullopt;
  return it->second.algo;
}

void conv_autotune_store(const ConvParams& p, ConvPass pass, ConvAlgo algo, double ms) {
  const Key key = make_key(p, pass);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (!c.loaded) load_locked(c);
  c.entries[key] = {algo, ms};
  save_locked(c);
}

}  // namespace nas::ops
