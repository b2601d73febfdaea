#include "tests/nas/search/strategies/testing/toy_space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "nas/space/genotype_ops.h"

namespace nas::search::testing {

ToySpace::ToySpace(int decisions, int choices)
    : ToySpace(std::vector<int>(static_cast<size_t>(decisions), choices)) {}

ToySpace::ToySpace(const std::vector<int>& choices) {
  NAS_CHECK(!choices.empty());
  name_ = "toy";
  for (size_t i = 0; i < choices.size(); ++i) {
    NAS_CHECK(choices[i] >= 1);
    space::Decision d;
    // Appends, not literal + string: g++ 12 warns falsely (-Wrestrict) on those.
    d.name = std::string("d").append(std::to_string(i));
    for (int k = 0; k < choices[i]; ++k)
      d.choices.push_back(std::string("c").append(std::to_string(k)));
    decisions_.push_back(std::move(d));
    name_.append(i ? "x" : "_").append(std::to_string(choices[i]));
  }
}

std::string ToySpace::canonical_string(const space::Genotype& g) const {
  NAS_CHECK(valid(g));
  std::string s;
  for (size_t i = 0; i < g.size(); ++i) s.append(i ? "-" : "").append(std::to_string(g[i]));
  return s;
}

Result<space::Genotype> ToySpace::parse(const std::string& canonical) const {
  space::Genotype g;
  size_t start = 0;
  while (true) {
    const size_t end = canonical.find('-', start);
    const std::string part = canonical.substr(start, end == std::string::npos ? end : end - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
        part.size() > 6)
      return Status::error("failed to parse toy genotype '" + canonical +
                           "': expected choice indices joined by '-'");
    g.push_back(std::stoi(part));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (!valid(g))
    return Status::error("failed to parse toy genotype '" + canonical + "': expected " +
                         std::to_string(decisions_.size()) + " in-range choice indices");
  return g;
}

Result<config::Architecture> ToySpace::decode(const space::Genotype&) const {
  return Status::error("failed to decode a toy genotype: the toy space has no architectures");
}

int64_t ToySpace::size() const {
  int64_t n = 1;
  for (const auto& d : decisions_) n *= static_cast<int64_t>(d.choices.size());
  return n;
}

// ---- single objective -------------------------------------------------------

space::Genotype toy_target(const space::Space& space) {
  space::Genotype t;
  const auto& d = space.decisions();
  for (size_t i = 0; i < d.size(); ++i)
    t.push_back(static_cast<int>((3 * i + 1) % d[i].choices.size()));
  return t;
}

namespace {

double landscape_score(const space::Genotype& g, const space::Genotype& t,
                       const std::vector<space::Decision>& d, Landscape landscape) {
  const size_t n = g.size();
  switch (landscape) {
    case Landscape::kSeparable: {
      double s = 0;
      for (size_t i = 0; i < n; ++i)
        s += 1.0 - std::abs(g[i] - t[i]) / static_cast<double>(d[i].choices.size());
      return s;
    }
    case Landscape::kRidge: {
      size_t prefix = 0;
      while (prefix < n && g[prefix] == t[prefix]) ++prefix;
      return static_cast<double>(prefix);
    }
    case Landscape::kDeceptive: {
      double s = 0;
      size_t i = 0;
      for (; i + 1 < n; i += 2) {
        const int at = (g[i] == t[i]) + (g[i + 1] == t[i + 1]);
        s += at == 2 ? 2.0 : at == 0 ? 1.0 : 0.0;
      }
      if (i < n) s += g[i] == t[i] ? 1.0 : 0.5;
      return s;
    }
  }
  NAS_CHECK(false);
  return 0;
}

}  // namespace

ToyObjective single_objective(const space::Space& space, Landscape landscape) {
  const space::Genotype target = toy_target(space);
  const std::vector<space::Decision>* decisions = &space.decisions();
  return [target, decisions, landscape](const space::Genotype& g) {
    const double s = landscape_score(g, target, *decisions, landscape);
    ToyResult r;
    r.objectives = {-s};
    r.scalar = s;
    return r;
  };
}

double optimum_score(const space::Space& space, Landscape landscape) {
  const space::Genotype t = toy_target(space);
  return landscape_score(t, t, space.decisions(), landscape);
}

bool is_optimum(const space::Space& space, Landscape landscape, const Observation& o) {
  return o.ok && o.genotype == toy_target(space) &&
         o.scalar >= optimum_score(space, landscape) - 1e-9;
}

// ---- two objectives ---------------------------------------------------------

namespace {

std::pair<int, int> cost_error(int table_index) {
  switch (table_index) {
    case 0:
      return {0, 6};
    case 1:
      return {2, 2};
    case 2:
      return {6, 0};
    default:
      return {2 * table_index - 2, 2 * table_index - 2};
  }
}

std::pair<int, int> choice_cost_error(const space::Genotype& g, size_t i, int choices) {
  return cost_error((g[i] + static_cast<int>(i)) % choices);
}

double violation_of(double cost, double cost_max) {
  return cost > cost_max ? (cost - cost_max) / cost_max : 0.0;
}

}  // namespace

ToyObjective bi_objective(const space::Space& space, double cost_max) {
  std::vector<int> k;
  for (const auto& d : space.decisions()) {
    NAS_CHECK(d.choices.size() >= 3);
    k.push_back(static_cast<int>(d.choices.size()));
  }
  return [k, cost_max](const space::Genotype& g) {
    int cost = 0, error = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      const auto [c, e] = choice_cost_error(g, i, k[i]);
      cost += c;
      error += e;
    }
    ToyResult r;
    r.objectives = {static_cast<double>(cost), static_cast<double>(error)};
    r.violation = violation_of(cost, cost_max);
    r.scalar = -static_cast<double>(cost + error);
    return r;
  };
}

std::vector<std::array<double, 2>> bi_objective_front(const space::Space& space, double cost_max) {
  // Every reachable (cost, error) sum, decision by decision: exact, and small
  // because the sums are small integers.
  std::set<std::pair<int, int>> reachable = {{0, 0}};
  for (const auto& d : space.decisions()) {
    std::set<std::pair<int, int>> next;
    for (const auto& [c, e] : reachable)
      for (int t = 0; t < static_cast<int>(d.choices.size()); ++t) {
        const auto [dc, de] = cost_error(t);
        next.insert({c + dc, e + de});
      }
    reachable = std::move(next);
  }
  std::vector<std::array<double, 2>> front;
  int best_error = std::numeric_limits<int>::max();
  // Sorted by cost, then error: a point is on the front iff its error is
  // below every error seen at a lower cost.
  for (const auto& [c, e] : reachable) {
    if (violation_of(c, cost_max) > 0) continue;
    if (e < best_error) {
      front.push_back({static_cast<double>(c), static_cast<double>(e)});
      best_error = e;
    }
  }
  return front;
}

double hypervolume_2d(std::vector<std::array<double, 2>> points, std::array<double, 2> reference) {
  std::sort(points.begin(), points.end());
  double area = 0, prev_y = reference[1];
  for (const auto& p : points) {
    if (p[0] >= reference[0] || p[1] >= prev_y) continue;
    area += (reference[0] - p[0]) * (prev_y - p[1]);
    prev_y = p[1];
  }
  return area;
}

std::vector<std::array<double, 2>> observed_front(const std::vector<Observation>& observations) {
  std::set<std::pair<double, double>> points;
  for (const Observation& o : observations)
    if (o.feasible()) points.insert({o.objectives[0], o.objectives[1]});
  std::vector<std::array<double, 2>> front;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [a, b] : points)
    if (b < best) {
      front.push_back({a, b});
      best = b;
    }
  return front;
}

// ---- the engine's part ------------------------------------------------------

RunHistory run_strategy(Strategy& strategy, const ToyObjective& objective, int64_t budget,
                        int batch, const std::function<bool(const Observation&)>& stop,
                        int64_t max_proposals) {
  NAS_CHECK(budget >= 1 && batch >= 1);
  if (max_proposals == 0) max_proposals = 200 * budget;
  RunHistory h;
  std::map<space::Genotype, size_t> seen;  // genotype -> index in h.evaluated
  int64_t proposals = 0;
  while (static_cast<int64_t>(h.evaluated.size()) < budget) {
    if (proposals >= max_proposals) {
      h.stalled = true;
      break;
    }
    const int n = static_cast<int>(
        std::min<int64_t>(batch, budget - static_cast<int64_t>(h.evaluated.size())));
    std::vector<space::Genotype> asked = strategy.ask(n);
    NAS_CHECK(static_cast<int>(asked.size()) == n);
    proposals += n;
    std::vector<Observation> told;
    bool stopping = false;
    for (const space::Genotype& g : asked) {
      auto it = seen.find(g);
      if (it == seen.end()) {
        const ToyResult r = objective(g);
        Observation o;
        o.id = static_cast<int64_t>(h.evaluated.size());
        o.genotype = g;
        o.ok = r.ok;
        o.objectives = r.objectives;
        o.violation = r.violation;
        o.scalar = r.scalar;
        it = seen.emplace(g, h.evaluated.size()).first;
        h.evaluated.push_back(o);
        if (stop && stop(o)) stopping = true;
      }
      told.push_back(h.evaluated[it->second]);
    }
    h.asks.push_back(std::move(asked));
    strategy.tell(told);
    if (stopping) break;
  }
  return h;
}

int64_t evaluations_until(const RunHistory& history,
                          const std::function<bool(const Observation&)>& reached) {
  for (size_t i = 0; i < history.evaluated.size(); ++i)
    if (reached(history.evaluated[i])) return static_cast<int64_t>(i) + 1;
  return -1;
}

}  // namespace nas::search::testing
