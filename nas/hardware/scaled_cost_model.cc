#include "nas/hardware/scaled_cost_model.h"

#include "ops/core/status.h"

namespace nas::hardware {

ScaledCostModel::ScaledCostModel(std::unique_ptr<CostModel> inner, double factor)
    : inner_(std::move(inner)), factor_(factor) {
  NAS_CHECK(inner_ != nullptr && factor > 0);
}

CostEstimate ScaledCostModel::estimate(const graph::NetworkSpec& spec, bool breakdown) const {
  const double f = factor();
  CostEstimate e = inner_->estimate(spec, breakdown);
  e.latency_ms *= f;
  for (NodeCost& c : e.breakdown) c.latency_ms *= f;
  return e;
}

void ScaledCostModel::set_factor(double factor) {
  NAS_CHECK(factor > 0);
  factor_.store(factor, std::memory_order_relaxed);
}

std::unique_ptr<ScaledCostModel> make_scaled_cost_model(std::unique_ptr<CostModel> inner, double factor) {
  return std::make_unique<ScaledCostModel>(std::move(inner), factor);
}

}  // namespace nas::hardware
