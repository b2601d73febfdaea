// Test fixtures every strategy test uses: a toy space, synthetic objectives
// with a known optimum or a known Pareto front, and run_strategy, which plays
// the engine's part (ask, evaluate, tell, dedup, budget) without training.
//
// Strategies only see decisions, so the toy space cannot decode: decode()
// returns an error. Objectives are functions of the genotype alone.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nas/search/strategy.h"
#include "nas/space/space.h"

namespace nas::search::testing {

// decisions "d0", "d1", ... with choices "c0", "c1", ...; canonical string
// "i0-i1-...-iD" (the choice indices joined by '-').
class ToySpace final : public space::Space {
 public:
  // D decisions of K choices each. REQUIRES: decisions >= 1, choices >= 1.
  ToySpace(int decisions, int choices);
  // One decision per entry, with that many choices. REQUIRES: each >= 1.
  explicit ToySpace(const std::vector<int>& choices);

  const std::string& name() const override { return name_; }
  space::SpaceKind kind() const override { return space::SpaceKind::kMacro; }
  const std::vector<space::Decision>& decisions() const override { return decisions_; }
  std::string canonical_string(const space::Genotype& g) const override;
  Result<space::Genotype> parse(const std::string& canonical) const override;
  // Always an error: strategies must never decode.
  Result<config::Architecture> decode(const space::Genotype& g) const override;

  // The number of genotypes (product of the choice counts).
  int64_t size() const;

 private:
  std::string name_;
  std::vector<space::Decision> decisions_;
};

// What the engine would report for one genotype (an Observation without id
// and genotype): objectives minimised, scalar maximised.
struct ToyResult {
  bool ok = true;
  std::vector<double> objectives;
  double violation = 0;
  double scalar = 0;
};
using ToyObjective = std::function<ToyResult(const space::Genotype&)>;

// ---- single objective (objectives = {-score}, scalar = score) -------------

enum class Landscape {
  // sum over decisions of 1 - |g_i - t_i| / K: every decision has its own
  // gradient towards its target choice t_i.
  kSeparable,
  // the number of leading decisions equal to their target (LeadingOnes):
  // flat except along one ridge, where only decision #prefix matters.
  kRidge,
  // deceptive traps over consecutive pairs of decisions: 2 when both are at
  // target, 1 when neither is, 0 when exactly one is; the slope leads away.
  kDeceptive,
};

// The unique best genotype of every landscape on `space`: t_i = (3 i + 1) % K_i.
space::Genotype toy_target(const space::Space& space);
// The objective of a landscape; its best score is optimum_score().
ToyObjective single_objective(const space::Space& space, Landscape landscape);
double optimum_score(const space::Space& space, Landscape landscape);
// True when an observation is the optimum of single_objective (ok, score at max).
bool is_optimum(const space::Space& space, Landscape landscape, const Observation& o);

// ---- two objectives with a known front ------------------------------------

// Each decision's choices stand for (cost, error) pairs, rotated per decision
// so that no choice index is special: table[(k + i) % K] with table
// (0, 6), (2, 2), (6, 0) and, for k >= 3, (2k - 2, 2k - 2) (dominated).
// objectives = {sum cost, sum error}, scalar = -(cost + error). With
// `cost_max` finite, violation = max(0, cost - cost_max) / cost_max (a hard
// constraint the engine would report). REQUIRES: every decision has >= 3 choices.
ToyObjective bi_objective(const space::Space& space, double cost_max = 1e300);
// The exact Pareto front of bi_objective among feasible genotypes, as
// objective vectors sorted by cost (computed over reachable sums, not sampled).
std::vector<std::array<double, 2>> bi_objective_front(const space::Space& space,
                                                      double cost_max = 1e300);
// The area dominated by `points` (minimised) up to `reference`; points not
// strictly better than the reference in both objectives add nothing.
double hypervolume_2d(std::vector<std::array<double, 2>> points, std::array<double, 2> reference);
// The non-dominated objective vectors among the feasible observations.
std::vector<std::array<double, 2>> observed_front(const std::vector<Observation>& observations);

// ---- the engine's part -----------------------------------------------------

struct RunHistory {
  // Every distinct genotype evaluated, in evaluation order; id = its index.
  std::vector<Observation> evaluated;
  // Every ask's proposals, in order (repeats included).
  std::vector<std::vector<space::Genotype>> asks;
  // True when the run stopped because the strategy proposed only already
  // evaluated genotypes for max_proposals proposals.
  bool stalled = false;
};

// Asks batches of min(batch, budget - evaluated) until `budget` distinct
// genotypes are evaluated, `stop` returns true for a new evaluation, or the
// strategy stalls (max_proposals proposals; 0 means 200 x budget). As the
// engine does, a genotype seen before (earlier or in the same batch) is not
// evaluated again: it is told the earlier observation (same id) and does not
// count against the budget. Results are told in ask order.
RunHistory run_strategy(Strategy& strategy, const ToyObjective& objective, int64_t budget,
                        int batch, const std::function<bool(const Observation&)>& stop = {},
                        int64_t max_proposals = 0);

// The 1-based evaluation at which `reached` first holds, or -1.
int64_t evaluations_until(const RunHistory& history,
                          const std::function<bool(const Observation&)>& reached);

}  // namespace nas::search::testing
