#include "nas/hardware/scaled_cost_model.h"

#include "ops/core/status.h"

namespace nas::hardware {
namespace {

class ScaledCostModel final : public CostModel {
 public:
  ScaledCostModel(std::unique_ptr<CostModel> inner, double factor) : inner_(std::move(inner)), factor_(factor) {}

  const std::string& name() const override { return inner_->name(); }
  bool models_energy() const override { return inner_->models_energy(); }
  CostEstimate estimate(const graph::NetworkSpec& spec, bool breakdown) const override {
    CostEstimate e = inner_->estimate(spec, breakdown);
    e.latency_ms *= factor_;
    for (NodeCost& c : e.breakdown) c.latency_ms *= factor_;
    return e;
  }

 private:
  std::unique_ptr<CostModel> inner_;
  double factor_;
};

}  // namespace

std::unique_ptr<CostModel> make_scaled_cost_model(std::unique_ptr<CostModel> inner, double factor) {
  NAS_CHECK(inner != nullptr && factor > 0);
  return std::make_unique<ScaledCostModel>(std::move(inner), factor);
}

}  // namespace nas::hardware
