#include "nas/search/strategies/evolution/evolution_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "nas/space/genotype_ops.h"

namespace nas::search {

namespace {

constexpr uint64_t kEvolutionStream = 0x65766f6c7574ull;  // "evolut"

// 0 feasible, 1 ok but violating a constraint, 2 failed.
int selection_class(const Observation& o) {
  if (!o.ok) return 2;
  return o.violation == 0 ? 0 : 1;
}

double finite_or_lowest(double x) {
  return std::isnan(x) ? -std::numeric_limits<double>::infinity() : x;
}

}  // namespace

bool selection_better(const Observation& a, const Observation& b) {
  const int ca = selection_class(a), cb = selection_class(b);
  if (ca != cb) return ca < cb;
  if (ca == 1) {
    // NaN (an unknown violation) counts as the largest.
    const double va =
        std::isnan(a.violation) ? std::numeric_limits<double>::infinity() : a.violation;
    const double vb =
        std::isnan(b.violation) ? std::numeric_limits<double>::infinity() : b.violation;
    if (va != vb) return va < vb;
  }
  const double sa = finite_or_lowest(a.scalar), sb = finite_or_lowest(b.scalar);
  if (sa != sb) return sa > sb;
  if (a.id != b.id) return a.id < b.id;
  return a.genotype < b.genotype;
}

EvolutionStrategy::EvolutionStrategy(const space::Space& space,
                                     const config::EvolutionConfig& config, uint64_t seed)
    : space_(space), config_(config), rng_(train::mix_seed(seed, kEvolutionStream)) {
  NAS_CHECK(config_.population >= 2);
  NAS_CHECK(config_.sample >= 1 && config_.sample <= config_.population);
  NAS_CHECK(config_.mutations >= 1);
}

const Observation& EvolutionStrategy::tournament() {
  // `sample` distinct members (partial Fisher-Yates over indices); with fewer
  // members alive than `sample` (only while the first batches are told),
  // all of them compete.
  const int size = static_cast<int>(population_.size());
  const int k = std::min(config_.sample, size);
  members_.resize(size);
  for (int i = 0; i < size; ++i) members_[i] = i;
  const Observation* best = nullptr;
  for (int m = 0; m < k; ++m) {
    const int j = m + static_cast<int>(rng_.uniform_int(size - m));
    std::swap(members_[m], members_[j]);
    const Observation& c = population_[members_[m]];
    if (best == nullptr || selection_better(c, *best)) best = &c;
  }
  return *best;
}

std::vector<space::Genotype> EvolutionStrategy::ask(int n) {
  NAS_CHECK(n >= 1);
  std::vector<space::Genotype> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    // Random while the initial population is being proposed, and also while
    // none of it has been told yet (a first batch larger than the population).
    if (random_proposals_ < config_.population || population_.empty()) {
      ++random_proposals_;
      out.push_back(space::sample_uniform(space_, rng_));
    } else {
      out.push_back(space::mutate(space_, tournament().genotype, config_.mutations, rng_));
    }
  }
  return out;
}

void EvolutionStrategy::tell(std::span<const Observation> results) {
  for (const Observation& o : results) {
    NAS_CHECK(space_.valid(o.genotype));
    population_.push_back(o);
    // Aging: the oldest dies, not the worst (the regularisation of Real et al.).
    if (static_cast<int>(population_.size()) > config_.population) population_.pop_front();
  }
}

Result<std::unique_ptr<Strategy>> make_evolution_strategy(const config::EvolutionConfig& config,
                                                          const StrategyContext& context) {
  NAS_CHECK(context.space != nullptr);
  const std::string what = "failed to create strategy 'evolution' with ";
  if (config.population < 2)
    return Status::error(what + "population " + std::to_string(config.population) +
                         ": must be >= 2");
  if (config.sample < 1 || config.sample > config.population)
    return Status::error(what + "sample " + std::to_string(config.sample) +
                         ": must be in 1..population (" + std::to_string(config.population) + ")");
  if (config.mutations < 1)
    return Status::error(what + "mutations " + std::to_string(config.mutations) + ": must be >= 1");
  return std::unique_ptr<Strategy>(
      std::make_unique<EvolutionStrategy>(*context.space, config, context.seed));
}

}  // namespace nas::search
