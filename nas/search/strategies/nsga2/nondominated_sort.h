// The ranking machinery of NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002):
// constrained domination, fast non-dominated sorting and crowding distance,
// over Observations whose objectives are all minimised.
#pragma once

#include <span>
#include <vector>

#include "nas/search/strategy.h"

namespace nas::search {

// Deb's constrained domination: a feasible observation dominates every
// infeasible or failed one; of two infeasible (ok) ones, the lower violation
// dominates; an ok observation dominates a failed one; two failed ones never
// dominate each other; two feasible ones compare by Pareto dominance (no
// objective worse, one better; NaN counts as +inf).
// REQUIRES: a.objectives.size() == b.objectives.size() when both are ok.
bool constrained_dominates(const Observation& a, const Observation& b);

// The fronts of `pool` under constrained_dominates: fronts[0] holds the
// indices no one dominates, fronts[1] those dominated only by fronts[0], ...
// Indices within a front are ascending. O(M N^2).
std::vector<std::vector<int>> nondominated_fronts(std::span<const Observation> pool);

// Crowding distance of each member of one front (same order as `front`):
// the sum over objectives of the normalised gap between its two neighbours
// along that objective; the extremes of each objective get +inf. Objectives
// that are not finite over the front (failed candidates) add nothing but
// their extremes.
std::vector<double> crowding_distances(std::span<const Observation> pool,
                                       std::span<const int> front);

}  // namespace nas::search
