// The `evaluator:` section: one schema per evaluator, as a table.
#include <string>
#include <vector>

#include "nas/config/section_readers.h"

namespace nas::config {
namespace {

struct EvaluatorSchema {
  const char* name;
  std::vector<std::string> keys;  // besides "name"
  EvaluatorConfig (*read)(MapReader& r);
};

EvaluatorConfig read_train(MapReader& r) {
  TrainConfig c;
  r.read("epochs", c.epochs, IntBounds::at_least(1));
  r.read("batch_size", c.batch_size, IntBounds::at_least(1));
  r.read("learning_rate", c.learning_rate, NumberBounds::above(0.0));
  if (const auto k = r.choice("optimizer", Need::kOptional, {"sgd", "adam", "adamw"})) {
    static constexpr OptimizerKind kKinds[] = {OptimizerKind::kSgd, OptimizerKind::kAdam,
                                               OptimizerKind::kAdamW};
    c.optimizer = kKinds[k->value];
  }
  r.read("momentum", c.momentum, NumberBounds::between(0.0, 1.0));
  r.read("weight_decay", c.weight_decay, NumberBounds::at_least(0.0));
  r.read("label_smoothing", c.label_smoothing, NumberBounds::between(0.0, 1.0));
  return c;
}

EvaluatorConfig read_tabular(MapReader& r) {
  TabularConfig c;
  if (auto table = r.path("table", Need::kRequired, PathKind::kFile)) c.table = std::move(*table);
  return c;
}

// Order matches the EvaluatorConfig alternatives (evaluator_name() relies on it).
const std::vector<EvaluatorSchema>& schemas() {
  static const std::vector<EvaluatorSchema> kSchemas = {
      {"train",
       {"epochs", "batch_size", "learning_rate", "optimizer", "momentum", "weight_decay",
        "label_smoothing"},
       read_train},
      {"tabular", {"table"}, read_tabular},
  };
  return kSchemas;
}

}  // namespace

std::string evaluator_name(const EvaluatorConfig& config) { return schemas()[config.index()].name; }

std::optional<EvaluatorSpec> read_evaluator(MapReader& top, const Catalog& catalog) {
  const auto node = top.map("evaluator", Need::kRequired);
  if (!node) return std::nullopt;
  YamlSource& src = top.source();
  const Location where = top.key_location("evaluator");
  const size_t errors_before = src.diagnostics().size();

  std::vector<std::string> schema_names;
  for (const auto& s : schemas()) schema_names.push_back(s.name);
  const auto index = read_section_name(src, *node, "evaluator", "evaluators", where,
                                       catalog.evaluators, schema_names);
  if (!index) return std::nullopt;
  const auto* schema = &schemas()[*index];
  std::vector<std::string> keys = {"name"};
  keys.insert(keys.end(), schema->keys.begin(), schema->keys.end());
  MapReader r(src, *node, "evaluator", "evaluator", where, keys);
  EvaluatorSpec spec{schema->read(r), where};
  if (src.diagnostics().size() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace nas::config
