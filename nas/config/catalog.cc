#include "nas/config/catalog.h"

namespace nas::config {

Catalog Catalog::defaults() {
  Catalog c;
  c.strategies = {"random", "evolution", "nsga2", "reinforce"};
  c.evaluators = {"train", "tabular"};
  c.datasets = {"fashion_mnist", "cifar10"};
  c.metrics = {
      {"accuracy", false},     {"loss", false},
      {"params", false},       {"macs", false},
      {"train_time_s", false}, {"latency_ms", true},
      {"energy_mj", true},     {"peak_memory_bytes", true},
  };
  return c;
}

const MetricInfo* Catalog::find_metric(const std::string& name) const {
  for (const MetricInfo& m : metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::vector<std::string> Catalog::metric_names() const {
  std::vector<std::string> names;
  names.reserve(metrics.size());
  for (const MetricInfo& m : metrics) names.push_back(m.name);
  return names;
}

}  // namespace nas::config
