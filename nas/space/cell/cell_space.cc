#include "nas/space/cell/cell_space.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "nas/space/genotype_ops.h"

namespace nas::space::cell {
namespace {

// Genotypes enumerated to build the canonical-representative table.
constexpr double kMaxTableLog10 = 6.33;  // ~2^21

// Every k-subset of {0..n-1}, ascending, in lexicographic order.
std::vector<std::vector<int>> subsets(int n, int k) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  auto rec = [&](auto&& self, int from) -> void {
    if (static_cast<int>(cur.size()) == k) {
      out.push_back(cur);
      return;
    }
    for (int i = from; i < n; ++i) {
      cur.push_back(i);
      self(self, i + 1);
      cur.pop_back();
    }
  };
  rec(rec, 0);
  return out;
}

}  // namespace

CellSpace::CellSpace(CellConfig config) : config_(std::move(config)) {
  std::vector<std::string> op_names;
  for (const Composite& c : config_.ops) op_names.push_back(c.name);
  if (config_.topology == Topology::kAllPairs) {
    for (int j = 1; j < config_.nodes; ++j)
      for (int i = 0; i < j; ++i)
        decisions_.push_back({"edge " + std::to_string(j) + "<-" + std::to_string(i), op_names});
    if (space_size_log10(*this) <= kMaxTableLog10) {
      enumerate(*this, std::numeric_limits<int64_t>::max(), [&](const Genotype& g) {
        representative_.emplace(unique_key(g), g);  // the first (smallest) one stays
        return true;
      });
    }
    return;
  }
  const int k = config_.inputs_per_node;
  for (int n = 0; n < config_.nodes; ++n) subsets_.push_back(subsets(n + 2, k));
  for (const char* type : {"normal", "reduce"}) {
    for (int n = 0; n < config_.nodes; ++n) {
      const std::string node = std::string(type) + ".node" + std::to_string(n + 2);
      Decision inputs{node + ".inputs", {}};
      for (const auto& s : subsets_[n]) {
        std::string text;
        for (int i : s) text.append(text.empty() ? "" : "+").append(std::to_string(i));
        inputs.choices.push_back(text);
      }
      decisions_.push_back(std::move(inputs));
      for (int q = 0; q < k; ++q) decisions_.push_back({node + ".op" + std::to_string(q), op_names});
    }
  }
}

int CellSpace::op_index(const std::string& name) const {
  for (size_t i = 0; i < config_.ops.size(); ++i)
    if (config_.ops[i].name == name) return static_cast<int>(i);
  return -1;
}

// NAS-Bench-201's CellStructure.to_unique_str(consider_zero=True), kept
// exactly (it defines the paper's 6466 classes): a zero term is "#", a sum
// of terms is their sorted '+'-join, and an op reading a node whose key is
// exactly "#" is zero too.
std::string CellSpace::unique_key(const Genotype& g) const {
  std::vector<std::string> node(config_.nodes);
  node[0].assign(1, '0');  // the input
  int e = 0;
  for (int j = 1; j < config_.nodes; ++j) {
    std::vector<std::string> terms;
    for (int i = 0; i < j; ++i, ++e) {
      const Composite& op = config_.ops[g[e]];
      if (op.is_zero() || node[i] == "#") {
        terms.push_back("#");
      } else if (op.is_identity()) {
        terms.push_back(node[i]);
      } else {
        terms.push_back(std::string("(").append(node[i]).append(")@").append(op.name));
      }
    }
    std::sort(terms.begin(), terms.end());
    for (size_t t = 0; t < terms.size(); ++t) node[j].append(t ? "+" : "").append(terms[t]);
  }
  return node[config_.nodes - 1];
}

Genotype CellSpace::canonicalize(const Genotype& g) const {
  if (config_.topology == Topology::kPickInputs) return canonicalize_pick_inputs(g);
  if (representative_.empty()) return g;
  const auto it = representative_.find(unique_key(g));
  return it == representative_.end() ? g : it->second;
}

// The intermediate nodes of a DARTS cell are all concatenated, and the next
// layer reading the concat (a 1x1 conv, or the pooled linear head) does not
// care about channel order: relabelling the nodes in any order that keeps
// every input earlier than its reader gives the same network up to a
// permutation of weights. The representative is the smallest such genotype,
// per cell type.
Genotype CellSpace::canonicalize_pick_inputs(const Genotype& g) const {
  const int n = config_.nodes, k = config_.inputs_per_node;
  Genotype best = g;
  for (int t = 0; t < 2; ++t) {
    const int begin = node_offset(t, 0), end = node_offset(t, n);
    std::vector<int> perm(n);  // old intermediate node m -> new index perm[m]
    for (int m = 0; m < n; ++m) perm[m] = m;
    Genotype cand = best;
    do {
      auto label = [&](int in) { return in < 2 ? in : perm[in - 2] + 2; };
      bool ok = true;
      for (int m = 0; m < n && ok; ++m)
        for (int in : chosen_inputs(m, g[node_offset(t, m)])) ok = ok && label(in) < perm[m] + 2;
      if (!ok) continue;
      for (int m = 0; m < n; ++m) {
        const int at = node_offset(t, m);
        std::vector<std::pair<int, int>> edges;  // (new input, op)
        const std::vector<int>& in = chosen_inputs(m, g[at]);
        for (int q = 0; q < k; ++q) edges.emplace_back(label(in[q]), g[at + 1 + q]);
        std::sort(edges.begin(), edges.end());
        std::vector<int> inputs;
        for (const auto& e : edges) inputs.push_back(e.first);
        const int to = node_offset(t, perm[m]);
        const auto& choices = subsets_[perm[m]];
        cand[to] = static_cast<int>(std::find(choices.begin(), choices.end(), inputs) - choices.begin());
        for (int q = 0; q < k; ++q) cand[to + 1 + q] = edges[q].second;
      }
      if (std::lexicographical_compare(cand.begin() + begin, cand.begin() + end, best.begin() + begin,
                                       best.begin() + end))
        std::copy(cand.begin() + begin, cand.begin() + end, best.begin() + begin);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
  return best;
}

std::string CellSpace::canonical_string(const Genotype& g) const {
  return config_.topology == Topology::kAllPairs ? nb201_string(g) : darts_string(g);
}

Result<Genotype> CellSpace::parse(const std::string& canonical) const {
  return config_.topology == Topology::kAllPairs ? parse_nb201(canonical) : parse_darts(canonical);
}

}  // namespace nas::space::cell
