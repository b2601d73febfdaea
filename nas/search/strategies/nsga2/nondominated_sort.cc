#include "nas/search/strategies/nsga2/nondominated_sort.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nas::search {

namespace {

double objective(const Observation& o, size_t m) {
  if (!o.ok || m >= o.objectives.size() || std::isnan(o.objectives[m]))
    return std::numeric_limits<double>::infinity();
  return o.objectives[m];
}

}  // namespace

bool constrained_dominates(const Observation& a, const Observation& b) {
  if (!a.ok || !b.ok) return a.ok && !b.ok;
  const bool fa = a.violation == 0, fb = b.violation == 0;
  if (fa != fb) return fa;
  if (!fa) return a.violation < b.violation;
  NAS_CHECK(a.objectives.size() == b.objectives.size());
  bool better = false;
  for (size_t m = 0; m < a.objectives.size(); ++m) {
    const double x = objective(a, m), y = objective(b, m);
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

std::vector<std::vector<int>> nondominated_fronts(std::span<const Observation> pool) {
  const int n = static_cast<int>(pool.size());
  std::vector<std::vector<int>> dominated(n);  // whom i dominates
  std::vector<int> count(n, 0);                // how many dominate i
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      if (constrained_dominates(pool[i], pool[j])) {
        dominated[i].push_back(j);
        ++count[j];
      } else if (constrained_dominates(pool[j], pool[i])) {
        dominated[j].push_back(i);
        ++count[i];
      }
    }
  std::vector<std::vector<int>> fronts;
  std::vector<int> current;
  for (int i = 0; i < n; ++i)
    if (count[i] == 0) current.push_back(i);
  while (!current.empty()) {
    std::vector<int> next;
    for (int i : current)
      for (int j : dominated[i])
        if (--count[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<double> crowding_distances(std::span<const Observation> pool,
                                       std::span<const int> front) {
  const size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0) return distance;
  const double inf = std::numeric_limits<double>::infinity();
  size_t objectives = 0;
  for (int i : front) objectives = std::max(objectives, pool[i].objectives.size());
  std::vector<size_t> order(n);
  for (size_t m = 0; m < objectives; ++m) {
    std::iota(order.begin(), order.end(), size_t{0});
    // Stable, with ties kept in front order, so the result is deterministic.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return objective(pool[front[a]], m) < objective(pool[front[b]], m);
    });
    distance[order.front()] = inf;
    distance[order.back()] = inf;
    const double lo = objective(pool[front[order.front()]], m);
    const double hi = objective(pool[front[order.back()]], m);
    const double range = hi - lo;
    if (!std::isfinite(range) || range <= 0) continue;
    for (size_t k = 1; k + 1 < n; ++k) {
      const double gap =
          objective(pool[front[order[k + 1]]], m) - objective(pool[front[order[k - 1]]], m);
      if (std::isfinite(gap)) distance[order[k]] += gap / range;
    }
  }
  return distance;
}

}  // namespace nas::search
