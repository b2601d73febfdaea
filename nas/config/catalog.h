// The names an experiment may use (strategies, evaluators, datasets, metrics).
// The caller fills it from the registries of the binary, so validation lists
// exactly the names this build knows; defaults() is the project's full list.
#pragma once

#include <string>
#include <vector>

namespace nas::config {

struct MetricInfo {
  std::string name;
  // true: the metric is measured on one hardware entry (latency_ms), so every
  // objective or constraint on it must name the hardware.
  bool per_hardware = false;
};

struct Catalog {
  std::vector<std::string> strategies;
  std::vector<std::string> evaluators;
  std::vector<std::string> datasets;
  std::vector<MetricInfo> metrics;

  // strategies random, evolution, nsga2, reinforce; evaluators train, tabular;
  // datasets fashion_mnist, cifar10; metrics accuracy, loss, params, macs,
  // train_time_s and the per-hardware latency_ms, energy_mj, peak_memory_bytes.
  static Catalog defaults();

  // nullptr when the catalog has no metric of that name.
  const MetricInfo* find_metric(const std::string& name) const;
  std::vector<std::string> metric_names() const;
};

}  // namespace nas::config
