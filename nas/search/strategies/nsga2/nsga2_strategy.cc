#include "nas/search/strategies/nsga2/nsga2_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "nas/search/strategies/nsga2/nondominated_sort.h"
#include "nas/space/genotype_ops.h"

namespace nas::search {

namespace {

constexpr uint64_t kNsga2Stream = 0x6e736761327374ull;  // "nsga2st"
// Redraws of a child that repeats a known genotype before accepting it
// (a nearly exhausted space or a converged population).
constexpr int kMaxRedraws = 32;

// Uniform in [0, 1) with 53 bits, so that small probabilities are exact enough.
double uniform01(train::Rng& rng) { return static_cast<double>(rng.next_u64() >> 11) * 0x1.0p-53; }

}  // namespace

Nsga2Strategy::Nsga2Strategy(const space::Space& space, const config::Nsga2Config& config,
                             int num_objectives, uint64_t seed)
    : space_(space),
      config_(config),
      num_objectives_(num_objectives),
      rng_(train::mix_seed(seed, kNsga2Stream)) {
  NAS_CHECK(config_.population >= 4);
  NAS_CHECK(config_.crossover_prob >= 0 && config_.crossover_prob <= 1);
  NAS_CHECK(config_.mutation_prob >= 0 && config_.mutation_prob <= 1);
  NAS_CHECK(num_objectives_ >= 1);
}

int Nsga2Strategy::tournament() {
  const int n = static_cast<int>(parents_.size());
  const int a = static_cast<int>(rng_.uniform_int(n));
  const int b = static_cast<int>(rng_.uniform_int(n));
  if (rank_[a] != rank_[b]) return rank_[a] < rank_[b] ? a : b;
  if (crowding_[a] != crowding_[b]) return crowding_[a] > crowding_[b] ? a : b;
  return a;
}

space::Genotype Nsga2Strategy::child() {
  const space::Genotype& first = parents_[tournament()].genotype;
  space::Genotype c;
  if (uniform01(rng_) < config_.crossover_prob) {
    const space::Genotype& second = parents_[tournament()].genotype;
    c = space::crossover(first, second, rng_);
  } else {
    c = first;
  }
  const auto& decisions = space_.decisions();
  for (size_t i = 0; i < c.size(); ++i) {
    const int k = static_cast<int>(decisions[i].choices.size());
    if (k < 2 || uniform01(rng_) >= config_.mutation_prob) continue;
    c[i] = (c[i] + 1 + static_cast<int>(rng_.uniform_int(k - 1))) % k;  // another choice
  }
  return c;
}

// Genotypes are compared as the engine compares them: by canonical form, so
// that two encodings of one network count as one.
uint64_t Nsga2Strategy::key(const space::Genotype& g) const {
  return space::genotype_hash(space_.canonicalize(g));
}

space::Genotype Nsga2Strategy::propose() {
  // Random until generation 0 is proposed, and while no parents exist yet.
  const bool random = random_proposals_ < config_.population || parents_.empty();
  if (random) ++random_proposals_;
  space::Genotype g;
  for (int attempt = 0; attempt <= kMaxRedraws; ++attempt) {
    g = random ? space::sample_uniform(space_, rng_) : child();
    if (!known_.count(key(g))) break;
  }
  known_.insert(key(g));
  return g;
}

std::vector<space::Genotype> Nsga2Strategy::ask(int n) {
  NAS_CHECK(n >= 1);
  std::vector<space::Genotype> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(propose());
  return out;
}

void Nsga2Strategy::tell(std::span<const Observation> results) {
  for (const Observation& o : results) {
    NAS_CHECK(space_.valid(o.genotype));
    Observation copy = o;
    // A failed candidate's objectives are +inf whatever the engine sent.
    if (!copy.ok) copy.objectives.assign(num_objectives_, std::numeric_limits<double>::infinity());
    // An unknown violation is the worst one, never "feasible" nor a tie.
    if (std::isnan(copy.violation)) copy.violation = std::numeric_limits<double>::infinity();
    NAS_CHECK(static_cast<int>(copy.objectives.size()) == num_objectives_);
    known_.insert(key(copy.genotype));
    offspring_.push_back(std::move(copy));
    if (static_cast<int>(offspring_.size()) == config_.population) survive();
  }
}

void Nsga2Strategy::survive() {
  // Parents first, then the generation in told order; a genotype told twice
  // (the engine repeats earlier results for repeated proposals) counts once.
  std::vector<Observation> pool;
  std::set<space::Genotype> in_pool;  // canonical forms
  for (auto* group : {&parents_, &offspring_})
    for (Observation& o : *group)
      if (in_pool.insert(space_.canonicalize(o.genotype)).second) pool.push_back(std::move(o));
  offspring_.clear();

  const std::vector<std::vector<int>> fronts = nondominated_fronts(pool);
  std::vector<Observation> next;
  std::vector<int> next_rank;
  std::vector<double> next_crowding;
  const size_t target = static_cast<size_t>(config_.population);
  for (size_t f = 0; f < fronts.size() && next.size() < target; ++f) {
    const std::vector<double> d = crowding_distances(pool, fronts[f]);
    std::vector<size_t> order(fronts[f].size());
    std::iota(order.begin(), order.end(), size_t{0});
    if (next.size() + order.size() > target) {
      // The last front that fits only partly: the least crowded first.
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d[a] > d[b]; });
      order.resize(target - next.size());
    }
    for (size_t k : order) {
      next.push_back(std::move(pool[fronts[f][k]]));
      next_rank.push_back(static_cast<int>(f));
      next_crowding.push_back(d[k]);
    }
  }
  parents_ = std::move(next);
  rank_ = std::move(next_rank);
  crowding_ = std::move(next_crowding);
  ++generations_;
}

Result<std::unique_ptr<Strategy>> make_nsga2_strategy(const config::Nsga2Config& config,
                                                      const StrategyContext& context) {
  NAS_CHECK(context.space != nullptr);
  const std::string what = "failed to create strategy 'nsga2' with ";
  if (config.population < 4)
    return Status::error(what + "population " + std::to_string(config.population) +
                         ": must be >= 4");
  if (!(config.crossover_prob >= 0 && config.crossover_prob <= 1))
    return Status::error(what + "crossover_prob " + std::to_string(config.crossover_prob) +
                         ": must be in 0..1");
  if (!(config.mutation_prob >= 0 && config.mutation_prob <= 1))
    return Status::error(what + "mutation_prob " + std::to_string(config.mutation_prob) +
                         ": must be in 0..1");
  return std::unique_ptr<Strategy>(std::make_unique<Nsga2Strategy>(
      *context.space, config, context.num_objectives, context.seed));
}

}  // namespace nas::search
