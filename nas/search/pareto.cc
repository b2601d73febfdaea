#include "nas/search/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace nas::search {

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points) {
  std::vector<size_t> front;
  if (points.empty()) return front;
  if (points[0].size() == 2) {
    // Sweep by the first objective (ties by the second): a point is on the
    // front iff it is the first, its second objective is below every earlier
    // point's, or it equals the last front point exactly.
    std::vector<size_t> order(points.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (points[a][0] != points[b][0]) return points[a][0] < points[b][0];
      if (points[a][1] != points[b][1]) return points[a][1] < points[b][1];
      return a < b;
    });
    double best_second = std::numeric_limits<double>::infinity();
    const std::vector<double>* last = nullptr;
    for (const size_t i : order) {
      if (last == nullptr || points[i][1] < best_second || points[i] == *last) {
        front.push_back(i);
        best_second = points[i][1];
        last = &points[i];
      }
    }
    std::sort(front.begin(), front.end());
    return front;
  }
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j)
      dominated = j != i && dominates(points[j], points[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace nas::search
