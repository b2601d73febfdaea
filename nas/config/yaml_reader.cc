#include "nas/config/yaml_reader.h"

#include <fstream>
#include <sstream>

#include <charconv>
#include <climits>
#include <cmath>
#include <system_error>

#include "nas/util/suggest.h"

namespace nas::config {
namespace {

namespace fs = std::filesystem;

// yaml-cpp tags a quoted scalar "!": it is a string even when it looks like a number.
bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// nas::closest_name, plus one swap of adjacent letters ("nmae" for "name"),
// which plain edit distance counts as two edits and so misses in short words.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string close = closest_name(word, candidates);
  if (!close.empty()) return close;
  for (const std::string& c : candidates) {
    if (c.size() != word.size()) continue;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      std::string swapped = word;
      std::swap(swapped[i], swapped[i + 1]);
      if (swapped == c) return c;
    }
  }
  return {};
}

std::string got(const YAML::Node& node) {
  if (node.IsScalar() && is_quoted(node)) return "the quoted string " + describe(node);
  return describe(node);
}

}  // namespace

YamlSource::YamlSource(std::string file, Diagnostics& diagnostics)
    : file_(std::move(file)), folder_(fs::path(file_).parent_path()), diagnostics_(diagnostics) {}

namespace {
std::optional<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}
}  // namespace

std::optional<YAML::Node> load_yaml_map(YamlSource& src, std::string_view what,
                                        const std::string& expected_keys) {
  const std::string& path = src.file();
  const std::optional<std::string> text = read_text(path);
  if (!text) {
    src.error(Location{path, 0, 0}, "cannot read " + std::string(what) + " file");
    return std::nullopt;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(*text);
  } catch (const YAML::Exception& e) {
    src.error(src.at(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  if (docs.empty() || docs[0].IsNull()) {
    src.error(Location{path, 1, 1}, "the " + std::string(what) + " file is empty (expected a map with " +
                                        expected_keys + ")");
    return std::nullopt;
  }
  if (docs.size() > 1) {
    src.error(src.at(docs[1].Mark()), "expected one YAML document, found " +
                                          std::to_string(docs.size()) +
                                          " (remove the '---' separators)");
    return std::nullopt;
  }
  if (!docs[0].IsMap()) {
    src.error(src.at(docs[0].Mark()), "expected a map of " + std::string(what) +
                                          " keys at the top level, got " + describe(docs[0]));
    return std::nullopt;
  }
  return docs[0];
}

Location YamlSource::at(const YAML::Mark& mark) const {
  // A null mark (-1) is not expected for parsed nodes; point at the file then.
  if (mark.line < 0) return Location{file_, 0, 0};
  return Location{file_, mark.line + 1, mark.column + 1};
}

fs::path YamlSource::resolve(const std::string& text) const {
  const fs::path p(text);
  if (p.is_absolute()) return p.lexically_normal();
  return (folder_ / p).lexically_normal();
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      std::string s = node.Scalar();
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      return "'" + s + "'";
    }
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "an empty value";
}

std::string IntBounds::describe() const {
  constexpr int64_t kLo = std::numeric_limits<int64_t>::min();
  constexpr int64_t kHi = std::numeric_limits<int64_t>::max();
  const std::string hi =
      max_name.empty() ? std::to_string(max) : max_name + " (" + std::to_string(max) + ")";
  if (min != kLo && max != kHi) return "an integer between " + std::to_string(min) + " and " + hi;
  if (min != kLo) return "an integer >= " + std::to_string(min);
  if (max != kHi) return "an integer <= " + hi;
  return "an integer";
}

std::string NumberBounds::describe() const {
  if (min && max && !min_open && !max_open) {
    return "a number between " + format_number(*min) + " and " + format_number(*max);
  }
  std::string s = "a number";
  if (min) s += (min_open ? " > " : " >= ") + format_number(*min);
  if (min && max) s += " and";
  if (max) s += (max_open ? " < " : " <= ") + format_number(*max);
  return s;
}

YAML::Node find_key(const YAML::Node& map, std::string_view key) {
  if (map.IsMap()) {
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string unknown_name(std::string_view kind, std::string_view kinds, const std::string& name,
                         const std::vector<std::string>& valid) {
  const std::string close = suggest(name, valid);
  std::string s = "unknown " + std::string(kind) + " '" + name + "' (";
  if (!close.empty()) s += "did you mean '" + close + "'? ";
  if (valid.empty()) return s + "no " + std::string(kinds) + " are available)";
  return s + "valid " + std::string(kinds) + ": " + join_names(valid) + ")";
}

std::optional<Located<std::string>> read_string(YamlSource& src, const YAML::Node& node,
                                                const std::string& path, const Location& where) {
  if (!node.IsScalar()) {
    src.error(where, path + ": expected a string, got " + describe(node));
    return std::nullopt;
  }
  return Located<std::string>{node.Scalar(), src.at(node.Mark())};
}

std::optional<Located<int64_t>> read_integer(YamlSource& src, const YAML::Node& node,
                                             const std::string& path, const Location& where,
                                             const IntBounds& bounds) {
  // A wrong type says only what type was expected; a wrong value also the range.
  if (!node.IsScalar() || is_quoted(node)) {
    src.error(node.IsScalar() ? src.at(node.Mark()) : where,
              path + ": expected an integer, got " + got(node));
    return std::nullopt;
  }
  const Location at = src.at(node.Mark());
  const std::string& text = node.Scalar();
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ptr != end || begin == end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    src.error(at, path + ": expected an integer, got '" + text + "'");
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || v < bounds.min || v > bounds.max) {
    src.error(at, path + ": expected " + bounds.describe() + ", got " + text);
    return std::nullopt;
  }
  return Located<int64_t>{v, at};
}

std::optional<Located<double>> read_number(YamlSource& src, const YAML::Node& node,
                                           const std::string& path, const Location& where,
                                           const NumberBounds& bounds) {
  if (!node.IsScalar() || is_quoted(node)) {
    src.error(node.IsScalar() ? src.at(node.Mark()) : where,
              path + ": expected a number, got " + got(node));
    return std::nullopt;
  }
  const Location at = src.at(node.Mark());
  const std::string& text = node.Scalar();
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ptr != end || begin == end || ec != std::errc() || !std::isfinite(v)) {
    src.error(at, path + ": expected a number, got '" + text + "'");
    return std::nullopt;
  }
  const bool below = bounds.min && (bounds.min_open ? v <= *bounds.min : v < *bounds.min);
  const bool above = bounds.max && (bounds.max_open ? v >= *bounds.max : v > *bounds.max);
  if (below || above) {
    src.error(at, path + ": expected " + bounds.describe() + ", got " + text);
    return std::nullopt;
  }
  return Located<double>{v, at};
}

std::optional<Located<fs::path>> read_path(YamlSource& src, const YAML::Node& node,
                                           const std::string& path, const Location& where,
                                           PathKind kind) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    src.error(node.IsScalar() ? src.at(node.Mark()) : where,
              path + ": expected a path, got " +
                  (node.IsScalar() ? std::string("an empty string") : describe(node)));
    return std::nullopt;
  }
  const Location at = src.at(node.Mark());
  fs::path resolved = src.resolve(node.Scalar());
  if (kind == PathKind::kUnchecked) return Located<fs::path>{std::move(resolved), at};
  std::error_code ec;
  const fs::file_status st = fs::status(resolved, ec);
  const std::string shown = "'" + resolved.string() + "'";
  if (!fs::exists(st)) {
    src.error(at, path + ": " + (kind == PathKind::kFile ? "file " : "folder ") + shown +
                      " does not exist");
    return std::nullopt;
  }
  if (kind == PathKind::kFile && fs::is_directory(st)) {
    src.error(at, path + ": " + shown + " is a folder, expected a file");
    return std::nullopt;
  }
  if (kind == PathKind::kFolder && !fs::is_directory(st)) {
    src.error(at, path + ": " + shown + " is not a folder");
    return std::nullopt;
  }
  return Located<fs::path>{std::move(resolved), at};
}

MapReader::MapReader(YamlSource& src, const YAML::Node& map, std::string path, std::string what,
                     Location where, std::vector<std::string> keys)
    : src_(src),
      path_(std::move(path)),
      what_(std::move(what)),
      where_(std::move(where)),
      keys_(std::move(keys)) {
  for (const auto& kv : map) {
    const YAML::Node k = kv.first;
    const Location at = src_.at(k.Mark());
    if (!k.IsScalar()) {
      src_.error(at, "expected a key name in " + what_ + ", got " + describe(k));
      continue;
    }
    const std::string& name = k.Scalar();
    bool known = false;
    for (const std::string& valid : keys_) known = known || valid == name;
    if (!known) {
      const std::string close = suggest(name, keys_);
      if (!close.empty()) suggested_.push_back(close);
      src_.error(at, "unknown key '" + name + "' in " + what_ +
                         (close.empty() ? " (valid keys: " + join_names(keys_) + ")"
                                        : " (did you mean '" + close + "'?)"));
      continue;
    }
    if (const Entry* first = find(name)) {
      src_.error(at, "duplicate key '" + name + "' in " + what_ + " (first at " +
                         std::to_string(src_.at(first->key_node.Mark()).line) + ":" +
                         std::to_string(src_.at(first->key_node.Mark()).column) + ")");
      continue;
    }
    entries_.push_back(Entry{name, k, kv.second});
  }
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

YAML::Node MapReader::get(std::string_view key) const {
  const Entry* e = find(key);
  return e ? e->value : YAML::Node(YAML::NodeType::Undefined);
}

Location MapReader::key_location(std::string_view key) const {
  const Entry* e = find(key);
  return e ? src_.at(e->key_node.Mark()) : where_;
}

Location MapReader::value_location(std::string_view key) const {
  const Entry* e = find(key);
  if (!e) return where_;
  if (e->value.IsNull()) return src_.at(e->key_node.Mark());
  return src_.at(e->value.Mark());
}

std::string MapReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::missing(std::string_view key) {
  for (const std::string& s : suggested_) {
    if (s == key) return;
  }
  src_.error(where_, "missing required key '" + std::string(key) + "' in " + what_);
}

std::optional<YAML::Node> MapReader::present(std::string_view key, Need need) {
  const Entry* e = find(key);
  if (e) return e->value;
  if (need == Need::kRequired) missing(key);
  return std::nullopt;
}

std::optional<Located<std::string>> MapReader::string(std::string_view key, Need need) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  return read_string(src_, *node, key_path(key), value_location(key));
}

std::optional<Located<int64_t>> MapReader::integer(std::string_view key, Need need,
                                                   const IntBounds& bounds) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  return read_integer(src_, *node, key_path(key), value_location(key), bounds);
}

std::optional<Located<double>> MapReader::number(std::string_view key, Need need,
                                                 const NumberBounds& bounds) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  return read_number(src_, *node, key_path(key), value_location(key), bounds);
}

std::optional<Located<size_t>> MapReader::choice(std::string_view key, Need need,
                                                 const std::vector<std::string>& options) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  const std::string expected = "expected one of " + join_names(options);
  if (!node->IsScalar()) {
    src_.error(value_location(key), key_path(key) + ": " + expected + ", got " + describe(*node));
    return std::nullopt;
  }
  const std::string& text = node->Scalar();
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i] == text) return Located<size_t>{i, value_location(key)};
  }
  const std::string close = suggest(text, options);
  src_.error(value_location(key), key_path(key) + ": " + expected + ", got '" + text + "'" +
                                      (close.empty() ? "" : " (did you mean '" + close + "'?)"));
  return std::nullopt;
}

std::optional<Located<fs::path>> MapReader::path(std::string_view key, Need need, PathKind kind) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  return read_path(src_, *node, key_path(key), value_location(key), kind);
}

std::optional<YAML::Node> MapReader::map(std::string_view key, Need need) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  if (!node->IsMap()) {
    src_.error(value_location(key), key_path(key) + ": expected a map, got " + describe(*node));
    return std::nullopt;
  }
  return node;
}

std::optional<YAML::Node> MapReader::list(std::string_view key, Need need) {
  const auto node = present(key, need);
  if (!node) return std::nullopt;
  if (!node->IsSequence()) {
    src_.error(value_location(key), key_path(key) + ": expected a list, got " + describe(*node));
    return std::nullopt;
  }
  return node;
}

bool MapReader::read(std::string_view key, int& out, const IntBounds& bounds) {
  if (!has(key)) return true;
  const auto v = integer(key, Need::kOptional, bounds);
  if (!v) return false;
  // The field is an int: larger values are out of range even when the
  // schema states no upper bound.
  if (v->value > INT_MAX || v->value < INT_MIN) {
    src_.error(v->where, key_path(key) + ": expected an integer <= " + std::to_string(INT_MAX) +
                             ", got " + get(key).Scalar());
    return false;
  }
  out = static_cast<int>(v->value);
  return true;
}

bool MapReader::read(std::string_view key, double& out, const NumberBounds& bounds) {
  if (!has(key)) return true;
  const auto v = number(key, Need::kOptional, bounds);
  if (!v) return false;
  out = v->value;
  return true;
}

}  // namespace nas::config
