#include "nas/space/genotype_ops.h"

#include <algorithm>
#include <cmath>

namespace nas::space {

Genotype sample_uniform(const Space& space, train::Rng& rng) {
  Genotype g;
  for (const Decision& d : space.decisions())
    g.push_back(static_cast<int>(rng.uniform_int(d.choices.size())));
  return g;
}

Genotype mutate(const Space& space, const Genotype& parent, int k, train::Rng& rng) {
  const auto& decisions = space.decisions();
  std::vector<int> open;
  for (size_t i = 0; i < decisions.size(); ++i)
    if (decisions[i].choices.size() > 1) open.push_back(static_cast<int>(i));
  Genotype child = parent;
  k = std::min<int>(k, static_cast<int>(open.size()));
  for (int m = 0; m < k; ++m) {
    // Partial Fisher-Yates: pick a decision not picked before.
    const size_t j = m + rng.uniform_int(open.size() - m);
    std::swap(open[m], open[j]);
    const int d = open[m];
    const int n = static_cast<int>(decisions[d].choices.size());
    const int shift = 1 + static_cast<int>(rng.uniform_int(n - 1));  // never the same choice
    child[d] = (parent[d] + shift) % n;
  }
  return child;
}

Genotype crossover(const Genotype& a, const Genotype& b, train::Rng& rng) {
  NAS_CHECK(a.size() == b.size());
  Genotype c(a.size());
  for (size_t i = 0; i < a.size(); ++i) c[i] = rng.uniform_int(2) ? b[i] : a[i];
  return c;
}

int64_t enumerate(const Space& space, int64_t limit, const std::function<bool(const Genotype&)>& visit) {
  const auto& d = space.decisions();
  Genotype g(d.size(), 0);
  int64_t visited = 0;
  while (visited < limit) {
    ++visited;
    if (!visit(g)) break;
    int i = static_cast<int>(d.size()) - 1;  // odometer, last decision fastest
    for (; i >= 0; --i) {
      if (++g[i] < static_cast<int>(d[i].choices.size())) break;
      g[i] = 0;
    }
    if (i < 0) break;
  }
  return visited;
}

std::string space_size(const Space& space) {
  // Decimal digits, least significant first: exact for any size.
  std::vector<int> digits = {1};
  for (const Decision& d : space.decisions()) {
    int carry = 0;
    for (int& x : digits) {
      const int v = x * static_cast<int>(d.choices.size()) + carry;
      x = v % 10;
      carry = v / 10;
    }
    while (carry) {
      digits.push_back(carry % 10);
      carry /= 10;
    }
  }
  std::string s;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) s += static_cast<char>('0' + *it);
  return s;
}

double space_size_log10(const Space& space) {
  double l = 0;
  for (const Decision& d : space.decisions()) l += std::log10(static_cast<double>(d.choices.size()));
  return l;
}

uint64_t genotype_hash(const Genotype& g) {
  uint64_t h = 1469598103934665603ull;
  for (int v : g) {
    for (int b = 0; b < 4; ++b) {
      h ^= static_cast<uint64_t>((static_cast<uint32_t>(v) >> (8 * b)) & 0xff);
      h *= 1099511628211ull;
    }
  }
  return h;
}

}  // namespace nas::space
