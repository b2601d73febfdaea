#include "nas/search/strategies/random/random_strategy.h"

#include "nas/space/genotype_ops.h"

namespace nas::search {

namespace {
// Stream numbers keep each strategy's generator independent of the engine's
// and the evaluators' streams derived from the same experiment seed.
constexpr uint64_t kRandomStream = 0x72616e646f6dull;  // "random"
}  // namespace

RandomStrategy::RandomStrategy(const space::Space& space, uint64_t seed)
    : space_(space), rng_(train::mix_seed(seed, kRandomStream)) {}

std::vector<space::Genotype> RandomStrategy::ask(int n) {
  NAS_CHECK(n >= 1);
  std::vector<space::Genotype> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(space::sample_uniform(space_, rng_));
  return out;
}

// Random search learns nothing: its proposals depend on the seed and the
// number of asks only, which keeps it a fair baseline.
void RandomStrategy::tell(std::span<const Observation>) {}

Result<std::unique_ptr<Strategy>> make_random_strategy(const config::RandomConfig&,
                                                       const StrategyContext& context) {
  NAS_CHECK(context.space != nullptr);
  return std::unique_ptr<Strategy>(std::make_unique<RandomStrategy>(*context.space, context.seed));
}

}  // namespace nas::search
