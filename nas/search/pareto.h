// Non-dominated filtering of objective vectors (all minimised).
#pragma once

#include <cstddef>
#include <vector>

namespace nas::search {

// True when a is no worse than b in every objective and better in one.
// REQUIRES: a.size() == b.size().
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// The indices of the points no other point dominates, ascending. Equal
// points are all kept. O(n log n) for two objectives, O(n^2 k) otherwise.
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points);

}  // namespace nas::search
