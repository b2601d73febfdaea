// Checked, located reads from yaml-cpp nodes: the one place that turns YAML
// into typed values with "file:line:col: error: ..." diagnostics. Used by the
// experiment loader and by any other loader of user YAML (spaces, profiles),
// so every file speaks the same error language:
//   unknown key 'x' in strategy (did you mean 'y'?)
//   strategy.population: expected an integer >= 2, got 1
//   missing required key 'name' in strategy            (at the parent map)
//   duplicate key 'seed' in experiment (first at 2:1)
// Nothing here throws; every problem becomes a Diagnostic and the read
// returns nullopt.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nas/config/diagnostics.h"
#include "nas/config/located.h"

namespace nas::config {

// One YAML file being read: its name for diagnostics, its folder for
// relative paths, and where problems go. Holds a reference to `diagnostics`.
class YamlSource {
 public:
  YamlSource(std::string file, Diagnostics& diagnostics);

  const std::string& file() const { return file_; }
  // The folder of file(); relative paths in the YAML start here.
  const std::filesystem::path& folder() const { return folder_; }
  // yaml-cpp marks are 0-based; Locations are 1-based.
  Location at(const YAML::Mark& mark) const;
  void error(const Location& where, std::string message) {
    diagnostics_.add(where, std::move(message));
  }
  Diagnostics& diagnostics() { return diagnostics_; }
  // folder() / text, lexically normalised; absolute paths stay as they are.
  std::filesystem::path resolve(const std::string& text) const;

 private:
  std::string file_;
  std::filesystem::path folder_;
  Diagnostics& diagnostics_;
};

// "'text'" for a scalar, "a map", "a list", "an empty value": the "got" part.
std::string describe(const YAML::Node& node);

// Inclusive integer bounds; "an integer >= 2", "an integer between 1 and 16".
struct IntBounds {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  std::string max_name;  // when set: "between 1 and population (32)"

  static IntBounds at_least(int64_t lo) {
    return IntBounds{lo, std::numeric_limits<int64_t>::max(), {}};
  }
  static IntBounds between(int64_t lo, int64_t hi, std::string hi_name = {}) {
    return IntBounds{lo, hi, std::move(hi_name)};
  }
  std::string describe() const;
};

// Number bounds, each end open or closed; "a number > 0", "a number between 0 and 1".
struct NumberBounds {
  std::optional<double> min;
  bool min_open = false;
  std::optional<double> max;
  bool max_open = false;

  static NumberBounds at_least(double lo) { return NumberBounds{lo, false, std::nullopt, false}; }
  static NumberBounds above(double lo) { return NumberBounds{lo, true, std::nullopt, false}; }
  static NumberBounds between(double lo, double hi) { return NumberBounds{lo, false, hi, false}; }
  std::string describe() const;
};

enum class PathKind { kFile, kFolder, kUnchecked };

// The value of the first `key` in `map`, without the checks of MapReader;
// an undefined node when absent or when `map` is not a map.
YAML::Node find_key(const YAML::Node& map, std::string_view key);

// "unknown strategy 'evolutoin' (did you mean 'evolution'? valid strategies:
// random, evolution)": `kind` names one thing, `kinds` the list.
std::string unknown_name(std::string_view kind, std::string_view kinds, const std::string& name,
                         const std::vector<std::string>& valid);

// Free-standing reads of one value node; `path` is its key path for
// messages ("strategy.population", "hardware[1]"), `where` is used when the
// node is empty (an empty value has no useful mark of its own).
std::optional<Located<std::string>> read_string(YamlSource& src, const YAML::Node& node,
                                                const std::string& path, const Location& where);
std::optional<Located<int64_t>> read_integer(YamlSource& src, const YAML::Node& node,
                                             const std::string& path, const Location& where,
                                             const IntBounds& bounds);
std::optional<Located<double>> read_number(YamlSource& src, const YAML::Node& node,
                                           const std::string& path, const Location& where,
                                           const NumberBounds& bounds);
// A non-empty path, resolved against src.folder(); checked to be an existing
// file or folder unless kind is kUnchecked.
std::optional<Located<std::filesystem::path>> read_path(YamlSource& src, const YAML::Node& node,
                                                        const std::string& path,
                                                        const Location& where, PathKind kind);

// Reads src.file() as one YAML document whose top level is a map. Nullopt
// after one diagnostic when the file cannot be read, is not YAML, is empty,
// holds several documents or is not a map. `what` names the kind of file in
// messages ("experiment"); `expected_keys` says what the map should hold
// ("at least name, space, ...").
std::optional<YAML::Node> load_yaml_map(YamlSource& src, std::string_view what,
                                        const std::string& expected_keys);

enum class Need { kOptional, kRequired };

// One YAML map checked against the keys its schema allows. The constructor
// reports unknown keys (suggesting the closest valid key, or listing them
// all) and duplicate keys (the first occurrence wins). A read of an absent
// optional key returns nullopt without a diagnostic; of an absent required
// key reports "missing required key 'k' in <what>" at where().
// REQUIRES: map.IsMap(). The reader keeps a reference to `src`.
class MapReader {
 public:
  // path: the key path of this map for messages ("" at top level,
  // "strategy", "objectives[0]"); what: how messages name it ("experiment",
  // "strategy", "objectives[0]"); where: the map's location (its key, for a
  // nested map) that missing keys point at.
  MapReader(YamlSource& src, const YAML::Node& map, std::string path, std::string what,
            Location where, std::vector<std::string> keys);

  const Location& where() const { return where_; }
  const std::string& what() const { return what_; }
  YamlSource& source() const { return src_; }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value of `key` (first occurrence); an invalid node when absent.
  YAML::Node get(std::string_view key) const;
  // Where the key is written; where() when absent.
  Location key_location(std::string_view key) const;
  // Where the value is written: the key's location when the value is empty.
  Location value_location(std::string_view key) const;
  // "strategy.population"
  std::string key_path(std::string_view key) const;
  // Reports the key as missing, unless an unknown key of this map was
  // already reported as its likely typo ("did you mean 'name'?").
  void missing(std::string_view key);

  std::optional<Located<std::string>> string(std::string_view key, Need need);
  std::optional<Located<int64_t>> integer(std::string_view key, Need need,
                                          const IntBounds& bounds = {});
  std::optional<Located<double>> number(std::string_view key, Need need,
                                        const NumberBounds& bounds = {});
  // The index of the value in `options`; "expected one of a, b, got 'c'".
  std::optional<Located<size_t>> choice(std::string_view key, Need need,
                                        const std::vector<std::string>& options);
  std::optional<Located<std::filesystem::path>> path(std::string_view key, Need need,
                                                     PathKind kind);
  // The value when it is a map / a list; reports "expected a map, got ...".
  std::optional<YAML::Node> map(std::string_view key, Need need);
  std::optional<YAML::Node> list(std::string_view key, Need need);

  // Optional int / double settings: `out` keeps its default when the key is
  // absent or wrong; returns false when a problem was reported.
  bool read(std::string_view key, int& out, const IntBounds& bounds);
  bool read(std::string_view key, double& out, const NumberBounds& bounds);

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;
  std::optional<YAML::Node> present(std::string_view key, Need need);

  YamlSource& src_;
  std::string path_;
  std::string what_;
  Location where_;
  std::vector<std::string> keys_;
  std::vector<Entry> entries_;          // valid, first-occurrence keys in file order
  std::vector<std::string> suggested_;  // keys offered as "did you mean" for unknown keys
};

}  // namespace nas::config
