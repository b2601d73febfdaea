#include "nas/graph/parameter_store.h"

#include <cmath>
#include <random>

namespace nas::graph {

Parameter& ParameterStore::add(const std::string& name, const ops::Shape& shape,
                               ops::ParamKind kind) {
  NAS_CHECK(index_.find(name) == index_.end());
  index_[name] = params_.size();
  params_.push_back({name, kind, ops::Tensor::zeros(shape), ops::Tensor::zeros(shape)});
  return params_.back();
}

Parameter* ParameterStore::find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &params_[it->second];
}

const Parameter* ParameterStore::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &params_[it->second];
}

std::vector<Parameter*> ParameterStore::of_kind(ops::ParamKind kind) {
  std::vector<Parameter*> out;
  for (Parameter& p : params_)
    if (p.kind == kind) out.push_back(&p);
  return out;
}

int64_t ParameterStore::bytes() const {
  int64_t b = 0;
  for (const Parameter& p : params_) b += p.value.numel() * static_cast<int64_t>(sizeof(float));
  return b;
}

void init_parameter(const ops::ParamSpec& spec, const std::string& name, uint64_t seed,
                    ops::Tensor& value) {
  // FNV-1a of the name, mixed with the seed.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  std::mt19937_64 rng(h ^ (seed * 0x9E3779B97F4A7C15ull));
  float* v = value.data();
  const int64_t n = value.numel();
  const double fan_in = static_cast<double>(std::max<int64_t>(spec.fan_in, 1));
  const double fan_out = static_cast<double>(std::max<int64_t>(spec.fan_out, 1));
  switch (spec.init) {
    case ops::Init::kZeros: value.fill(0.0f); break;
    case ops::Init::kOnes: value.fill(1.0f); break;
    case ops::Init::kKaimingNormal: {
      std::normal_distribution<double> d(0.0, std::sqrt(2.0 / fan_in));
      for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(d(rng));
      break;
    }
    case ops::Init::kKaimingUniform: {
      const double bound = std::sqrt(6.0 / fan_in);
      std::uniform_real_distribution<double> d(-bound, bound);
      for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(d(rng));
      break;
    }
    case ops::Init::kXavierUniform: {
      const double bound = std::sqrt(6.0 / (fan_in + fan_out));
      std::uniform_real_distribution<double> d(-bound, bound);
      for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(d(rng));
      break;
    }
  }
}

}  // namespace nas::graph
