#include "nas/config/load_experiment.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <sstream>
#include <system_error>

#include "nas/config/duration.h"
#include "nas/config/section_readers.h"
#include "nas/config/yaml_reader.h"
#include "nas/util/suggest.h"
#include "nas/config/portable_name.h"

namespace nas::config {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopKeys = {"name",      "seed",       "space",       "dataset",
                                           "hardware",  "objectives", "constraints", "strategy",
                                           "evaluator", "budget",     "scalarization", "output"};

constexpr const char* kRequiredKeys =
    "name, space, dataset, objectives, strategy, evaluator, budget";

std::string item_path(const std::string& list, size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

// Where a list item is; its list's key when the item is an empty value.
Location item_location(const YamlSource& src, const YAML::Node& item, const Location& list_key) {
  return item.IsNull() ? list_key : src.at(item.Mark());
}

// The experiment-wide state the per-item checks need.
struct Reader {
  YamlSource& src;
  const Catalog& catalog;
  Experiment& exp;
  // false when some hardware entry could not be resolved to a name: then an
  // objective's hardware cannot be judged and is not reported as unknown.
  bool hardware_known = true;

  std::vector<std::string> hardware_names() const {
    std::vector<std::string> names;
    for (const HardwareSpec& h : exp.hardware) names.push_back(h.name);
    return names;
  }

  void read_name(MapReader& top) {
    auto name = top.string("name", Need::kRequired);
    if (!name) return;
    if (name->value == "." || name->value == "..") {
      src.error(name->where, "name: '" + name->value + "' cannot name a run folder");
      return;
    }
    if (!is_portable_name(name->value)) {
      src.error(name->where,
                "name: expected " + std::string(kPortableNameRule) + ", got '" + name->value + "'");
      return;
    }
    exp.name = std::move(*name);
  }

  void read_dataset(MapReader& top) {
    const auto node = top.map("dataset", Need::kRequired);
    if (!node) return;
    DatasetSpec& d = exp.dataset;
    d.where = top.key_location("dataset");
    MapReader r(src, *node, "dataset", "dataset", d.where,
                {"name", "train_subset", "valid_subset", "path"});
    if (auto name = r.string("name", Need::kRequired)) {
      if (std::find(catalog.datasets.begin(), catalog.datasets.end(), name->value) ==
          catalog.datasets.end()) {
        src.error(name->where, "dataset.name: " + unknown_name("dataset", "datasets", name->value,
                                                               catalog.datasets));
      }
      d.name = std::move(*name);
    }
    for (const char* key : {"train_subset", "valid_subset"}) {
      int n = 0;
      if (r.has(key) && r.read(key, n, IntBounds::at_least(1))) {
        (std::string(key) == "train_subset" ? d.train_subset : d.valid_subset) = n;
      }
    }
    d.path = r.path("path", Need::kOptional, PathKind::kFolder);
  }

  // The top-level `name:` of a hardware profile; the rest of the profile is
  // validated by the hardware layer when it builds the cost model.
  std::optional<std::string> profile_name(const fs::path& profile, const std::string& path,
                                          const Location& at) {
    const std::string shown = "'" + profile.string() + "'";
    YAML::Node root;
    try {
      root = YAML::LoadFile(profile.string());
    } catch (const YAML::Exception& e) {
      src.error(at, path + ": cannot parse hardware profile " + shown + ": " +
                        std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                        ": " + e.msg);
      return std::nullopt;
    }
    const YAML::Node name = find_key(root, "name");
    if (!name.IsDefined()) {
      src.error(at, path + ": hardware profile " + shown + " has no top-level 'name' key");
      return std::nullopt;
    }
    if (!name.IsScalar() || !is_portable_name(name.Scalar())) {
      src.error(at, path + ": hardware profile " + shown + " has an invalid name: expected " +
                        kPortableNameRule + ", got " + describe(name));
      return std::nullopt;
    }
    if (name.Scalar() == "host") {
      src.error(at, path + ": hardware profile " + shown +
                        " is named 'host', which is reserved for the machine running the search");
      return std::nullopt;
    }
    return name.Scalar();
  }

  // The options of a host entry written as a map (`- host: {machine_state:
  // check}`); problems are reported to `src`.
  void read_host_options(const YAML::Node& item, const std::string& path, const Location& at,
                         HardwareSpec& h) {
    MapReader entry(src, item, path, path, at, {"host"});
    const auto options = entry.map("host", Need::kRequired);
    if (options) {
      MapReader r(src, *options, entry.key_path("host"), entry.key_path("host"),
                  entry.key_location("host"), {"machine_state", "recheck_interval", "recheck_candidates"});
      if (auto mode = r.choice("machine_state", Need::kOptional, machine_state_mode_names()))
        h.machine_state = static_cast<MachineStateMode>(mode->value);
      if (r.has("recheck_interval")) h.recheck_interval_s = read_positive_duration(r, "recheck_interval");
      if (auto n = r.integer("recheck_candidates", Need::kOptional, IntBounds::at_least(1)))
        h.recheck_candidates = n->value;
      // Re-checks need a check to repeat.
      for (const char* key : {"recheck_interval", "recheck_candidates"})
        if (r.has(key) && h.machine_state == MachineStateMode::kOff)
          src.error(r.key_location(key), r.key_path(key) + ": needs machine_state check or rescale (off checks "
                                                           "nothing, so there is nothing to re-check)");
    }
  }

  // A duration > 0 under `key` (budget.wall_time, host.recheck_interval);
  // nullopt after reporting a problem.
  std::optional<int64_t> read_positive_duration(MapReader& r, const char* key) {
    const YAML::Node v = r.get(key);
    const Location at = r.value_location(key);
    const std::string path = r.key_path(key);
    if (!v.IsScalar()) {
      src.error(at, path + ": expected a duration like 10m, got " + describe(v));
      return std::nullopt;
    }
    const std::optional<int64_t> seconds = parse_duration_s(v.Scalar());
    if (!seconds) {
      src.error(at, path + ": malformed duration " + describe(v) + " (" + std::string(kDurationForms) + ")");
      return std::nullopt;
    }
    if (*seconds == 0) {
      src.error(at, path + ": expected a duration > 0, got " + describe(v));
      return std::nullopt;
    }
    return seconds;
  }

  void read_hardware(MapReader& top) {
    const auto list = top.list("hardware", Need::kOptional);
    if (!list) {
      hardware_known = !top.has("hardware");
      return;
    }
    const Location list_key = top.key_location("hardware");
    for (size_t i = 0; i < list->size(); ++i) {
      const YAML::Node item = (*list)[i];
      const std::string path = item_path("hardware", i);
      const Location at = item_location(src, item, list_key);
      HardwareSpec h;
      h.where = at;
      if (item.IsScalar() && item.Scalar() == "host") {
        h.name = "host";
      } else if (item.IsMap() && find_key(item, "host").IsDefined()) {
        // `- host: {machine_state: rescale}`: the host with its options. A
        // bad option is reported; the entry still names the host, so that
        // objectives on it are not reported as unknown too.
        h.name = "host";
        read_host_options(item, path, at, h);
      } else if (!item.IsScalar()) {
        src.error(at, path + ": expected 'host' or a path to a hardware profile YAML, got " +
                          describe(item));
        hardware_known = false;
        continue;
      } else {
        auto file = read_path(src, item, path, at, PathKind::kFile);
        std::optional<std::string> name;
        if (file) name = profile_name(file->value, path, at);
        if (!name) {
          hardware_known = false;
          continue;
        }
        h.name = std::move(*name);
        h.profile = std::move(file->value);
      }
      if (const HardwareSpec* first = exp.find_hardware(h.name)) {
        size_t j = 0;
        while (&exp.hardware[j] != first) ++j;
        src.error(at, path + ": duplicate hardware name '" + h.name + "' (also " +
                          item_path("hardware", j) + " at " + std::to_string(first->where.line) +
                          ":" + std::to_string(first->where.column) + ")");
        continue;
      }
      exp.hardware.push_back(std::move(h));
    }
  }

  // The metric and hardware keys shared by objectives and constraints: a
  // per-hardware metric needs `hardware:` naming one of the experiment's
  // entries; any other metric must not have it. Returns false on a problem.
  bool read_metric(MapReader& r, Located<std::string>& metric,
                   std::optional<Located<std::string>>& hardware) {
    auto m = r.string("metric", Need::kRequired);
    auto hw = r.string("hardware", Need::kOptional);
    if (!m) return false;
    metric = *m;
    const MetricInfo* info = catalog.find_metric(m->value);
    if (info == nullptr) {
      src.error(m->where, r.key_path("metric") + ": " +
                              unknown_name("metric", "metrics", m->value, catalog.metric_names()));
      return false;
    }
    if (!info->per_hardware) {
      if (r.has("hardware")) {
        src.error(r.key_location("hardware"), r.key_path("hardware") + ": metric '" + m->value +
                                                  "' does not depend on the hardware; remove "
                                                  "'hardware'");
        return false;
      }
      return true;
    }
    if (!r.has("hardware")) {
      const std::vector<std::string> names = hardware_names();
      src.error(r.where(), r.what() + ": metric '" + m->value + "' needs 'hardware' " +
                               (names.empty() ? std::string("but the experiment lists none (add "
                                                            "e.g. 'hardware: [host]')")
                                              : "(one of " + join_names(names) + ")"));
      return false;
    }
    if (!hw) return false;
    if (hardware_known && exp.find_hardware(hw->value) == nullptr) {
      src.error(hw->where, r.key_path("hardware") + ": " +
                               unknown_name("hardware", "hardware", hw->value, hardware_names()));
      return false;
    }
    hardware = std::move(*hw);
    return true;
  }

  static std::string metric_key(const Located<std::string>& metric,
                                const std::optional<Located<std::string>>& hardware) {
    return hardware ? metric.value + " on " + hardware->value : metric.value;
  }

  void read_objectives(MapReader& top) {
    const auto list = top.list("objectives", Need::kRequired);
    if (!list) return;
    const Location list_key = top.key_location("objectives");
    if (list->size() == 0) {
      src.error(top.value_location("objectives"),
                "objectives: expected at least one objective, got an empty list");
      return;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const YAML::Node item = (*list)[i];
      const std::string path = item_path("objectives", i);
      const Location at = item_location(src, item, list_key);
      if (!item.IsMap()) {
        src.error(at, path + ": expected a map like {metric: accuracy, goal: maximize}, got " +
                          describe(item));
        continue;
      }
      MapReader r(src, item, path, path, at, {"metric", "goal", "hardware"});
      ObjectiveSpec o;
      o.where = at;
      const bool metric_ok = read_metric(r, o.metric, o.hardware);
      const auto goal = r.choice("goal", Need::kRequired, {"maximize", "minimize"});
      if (goal) o.goal = goal->value == 0 ? Goal::kMaximize : Goal::kMinimize;
      if (!metric_ok) continue;
      const std::string key = metric_key(o.metric, o.hardware);
      for (size_t j = 0; j < exp.objectives.size(); ++j) {
        if (metric_key(exp.objectives[j].metric, exp.objectives[j].hardware) == key) {
          src.error(at, path + ": duplicate objective '" + key + "' (also " +
                            item_path("objectives", j) + " at " +
                            std::to_string(exp.objectives[j].where.line) + ":" +
                            std::to_string(exp.objectives[j].where.column) + ")");
        }
      }
      exp.objectives.push_back(std::move(o));
    }
  }

  void read_constraints(MapReader& top) {
    const auto list = top.list("constraints", Need::kOptional);
    if (!list) return;
    const Location list_key = top.key_location("constraints");
    for (size_t i = 0; i < list->size(); ++i) {
      const YAML::Node item = (*list)[i];
      const std::string path = item_path("constraints", i);
      const Location at = item_location(src, item, list_key);
      if (!item.IsMap()) {
        src.error(at, path +
                          ": expected a map like {metric: latency_ms, hardware: host, max: 5}, "
                          "got " +
                          describe(item));
        continue;
      }
      MapReader r(src, item, path, path, at, {"metric", "hardware", "max", "min"});
      ConstraintSpec c;
      c.where = at;
      read_metric(r, c.metric, c.hardware);
      const auto max = r.number("max", Need::kOptional);
      const auto min = r.number("min", Need::kOptional);
      if (!r.has("max") && !r.has("min")) {
        src.error(at, path + ": a constraint needs 'max', 'min' or both");
      }
      if (max) c.max = max->value;
      if (min) c.min = min->value;
      if (max && min && min->value > max->value) {
        src.error(min->where, path + ": min " + r.get("min").Scalar() + " is greater than max " +
                                  r.get("max").Scalar());
      }
      exp.constraints.push_back(std::move(c));
    }
  }


  void read_budget(MapReader& top) {
    const auto node = top.map("budget", Need::kRequired);
    if (!node) return;
    BudgetSpec& b = exp.budget;
    b.where = top.key_location("budget");
    MapReader r(src, *node, "budget", "budget", b.where, {"candidates", "wall_time", "batch"});
    if (const auto n = r.integer("candidates", Need::kOptional, IntBounds::at_least(1))) {
      b.candidates = n->value;
    }
    r.read("batch", b.batch, IntBounds::between(1, 4096));
    if (r.has("wall_time")) b.wall_time_s = read_positive_duration(r, "wall_time");
    if (!r.has("candidates") && !r.has("wall_time")) {
      src.error(b.where, "budget needs 'candidates', 'wall_time' or both");
    }
  }

  // The keys each scalarization kind accepts besides `kind` and
  // `infeasible_penalty`; a key of another kind is an error naming its kind.
  static const std::vector<std::string>& mnas_keys() {
    static const std::vector<std::string> k = {"metric", "hardware", "target", "w", "form"};
    return k;
  }

  void read_scalarization(MapReader& top) {
    if (!top.has("scalarization")) return;
    const auto node = top.map("scalarization", Need::kOptional);
    if (!node) return;
    ScalarizationSpec& s = exp.scalarization;
    s.where = top.key_location("scalarization");
    MapReader r(src, *node, "scalarization", "scalarization", s.where,
                {"kind", "metric", "hardware", "target", "w", "form", "weights",
                 "infeasible_penalty"});
    if (const auto kind =
            r.choice("kind", Need::kOptional, {"first_objective", "mnas", "weighted"})) {
      s.kind = static_cast<ScalarizationKind>(kind->value);
    }
    if (const auto p = r.number("infeasible_penalty", Need::kOptional)) {
      s.infeasible_penalty = p->value;
    }
    auto reject_unless = [&](const std::string& key, bool allowed, const char* kind) {
      if (r.has(key) && !allowed) {
        src.error(r.key_location(key), r.key_path(key) + ": only for kind " + kind);
      }
    };
    const bool mnas = s.kind == ScalarizationKind::kMnas;
    const bool weighted = s.kind == ScalarizationKind::kWeighted;
    for (const std::string& key : mnas_keys()) reject_unless(key, mnas, "mnas");
    reject_unless("weights", weighted, "weighted");
    if (mnas) {
      read_metric(r, s.metric, s.hardware);
      if (const auto t = r.number("target", Need::kRequired, NumberBounds::above(0.0))) {
        s.target = t->value;
      }
      r.read("w", s.w, NumberBounds{});
      if (const auto f = r.choice("form", Need::kOptional, {"soft", "hard"})) {
        s.form = f->value == 0 ? MnasForm::kSoft : MnasForm::kHard;
      }
    }
    if (weighted) read_weights(r, s);
  }

  void read_weights(MapReader& r, ScalarizationSpec& s) {
    const auto list = r.list("weights", Need::kRequired);
    if (!list) return;
    for (size_t i = 0; i < list->size(); ++i) {
      const auto w = read_number(src, (*list)[i], "scalarization.weights[" + std::to_string(i) + "]",
                                 r.value_location("weights"), NumberBounds{});
      if (w) s.weights.push_back(w->value);
    }
    if (s.weights.size() == list->size() && !exp.objectives.empty() &&
        s.weights.size() != exp.objectives.size()) {
      src.error(r.value_location("weights"),
                "scalarization.weights: expected one weight per objective (" +
                    std::to_string(exp.objectives.size()) + "), got " +
                    std::to_string(s.weights.size()));
    }
  }

  void read_all(const YAML::Node& root) {
    MapReader top(src, root, "", "experiment", src.at(root.Mark()), kTopKeys);
    read_name(top);
    if (const auto seed = top.integer("seed", Need::kOptional, IntBounds::at_least(0))) {
      exp.seed = *seed;
    }
    if (auto space = top.path("space", Need::kRequired, PathKind::kFile)) {
      exp.space = std::move(*space);
    }
    read_dataset(top);
    read_hardware(top);
    read_objectives(top);
    read_constraints(top);
    if (auto s = read_strategy(top, catalog)) exp.strategy = std::move(*s);
    if (auto e = read_evaluator(top, catalog)) exp.evaluator = std::move(*e);
    read_budget(top);
    read_scalarization(top);
    if (auto out = top.path("output", Need::kOptional, PathKind::kUnchecked)) {
      exp.output = std::move(*out);
    }
  }
};

std::optional<Experiment> load(const std::string& path, const Catalog& catalog,
                               Diagnostics& diags) {
  YamlSource src(path, diags);
  const std::optional<YAML::Node> document =
      load_yaml_map(src, "experiment", std::string("at least ") + kRequiredKeys);
  if (!document) return std::nullopt;
  const YAML::Node& root = *document;
  Experiment exp;
  exp.source = path;
  exp.folder = src.folder();
  const size_t errors_before = diags.size();
  Reader reader{src, catalog, exp};
  reader.read_all(root);
  if (diags.size() != errors_before) return std::nullopt;
  return exp;
}

}  // namespace

const std::vector<std::string>& machine_state_mode_names() {
  static const std::vector<std::string> names = {"off", "check", "rescale"};
  return names;
}

const char* machine_state_mode_name(MachineStateMode mode) {
  return machine_state_mode_names()[static_cast<size_t>(mode)].c_str();
}

const HardwareSpec* Experiment::find_hardware(const std::string& hardware_name) const {
  for (const HardwareSpec& h : hardware) {
    if (h.name == hardware_name) return &h;
  }
  return nullptr;
}

std::optional<Experiment> load_experiment(const std::string& path, const Catalog& catalog,
                                          Diagnostics& diagnostics) {
  Diagnostics found;
  std::optional<Experiment> exp;
  // The contract is "never throws": anything yaml-cpp or the standard
  // library raises past the checks above still becomes a diagnostic.
  try {
    exp = load(path, catalog, found);
  } catch (const std::exception& e) {
    found.add(Location{path, 0, 0}, std::string("failed to read experiment: ") + e.what());
  } catch (...) {
    found.add(Location{path, 0, 0}, "failed to read experiment: unknown exception");
  }
  if (found.empty()) return exp;
  found.sort_by_location();
  diagnostics.append(found);
  return std::nullopt;
}

Result<Experiment> load_experiment(const std::string& path, const Catalog& catalog) {
  Diagnostics diagnostics;
  std::optional<Experiment> exp = load_experiment(path, catalog, diagnostics);
  if (!exp) return Status::error(diagnostics.str());
  return std::move(*exp);
}

}  // namespace nas::config
