// CellSpace: a `kind: cell` space (NAS-Bench-201 and DARTS style cells).
//
// Genotype layout (docs/spaces.md, "cell"):
//  all_pairs (n nodes): one decision per edge, in NAS-Bench-201's order
//    "edge 1<-0", "edge 2<-0", "edge 2<-1", "edge 3<-0", ...; choices = ops.
//  pick_inputs (m intermediate nodes, k inputs each): for each cell type
//    (normal, then reduce), for each node j = 2..m+1 (0 and 1 are the cell
//    inputs): "normal.node<j>.inputs" choosing a k-subset of {0..j-1}
//    (choices "0+1", "0+2", ... in lexicographic order), then
//    "normal.node<j>.op<q>" (q < k), the op on the q-th smallest chosen
//    input. Every genotype is a valid DARTS cell, and a node's inputs are
//    always in canonical (ascending) order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nas/space/cell/cell_config.h"
#include "nas/space/space.h"

namespace nas::space::cell {

class CellSpace : public Space {
 public:
  explicit CellSpace(CellConfig config);

  const std::string& name() const override { return config_.name; }
  SpaceKind kind() const override { return SpaceKind::kCell; }
  const std::vector<Decision>& decisions() const override { return decisions_; }
  // all_pairs: NAS-Bench-201's arch string "|op~0|+|op~0|op~1|+...";
  // pick_inputs: DARTS's "Genotype(normal=[('op', 0), ...], normal_concat=[2, 3, 4, 5], ...)".
  std::string canonical_string(const Genotype& g) const override;
  Result<Genotype> parse(const std::string& canonical) const override;
  // all_pairs: the smallest genotype computing the same function, by
  // NAS-Bench-201's rule (CellStructure.to_unique_str(consider_zero=True)):
  // none edges and edges out of zero nodes vanish, skip_connect passes its
  // input, sums are unordered, nodes that do not reach the output are
  // ignored. Exact for spaces up to 2^21 genotypes; larger ones return g.
  // pick_inputs: the smallest relabelling of each cell's intermediate nodes
  // that keeps inputs before their readers (all nodes are concatenated, so
  // such cells compute the same network up to a permutation of weights);
  // each node's inputs are ordered by the encoding itself.
  Genotype canonicalize(const Genotype& g) const override;
  Result<config::Architecture> decode(const Genotype& g) const override;

  const CellConfig& config() const { return config_; }
  // The function key canonicalize() compares (all_pairs only).
  std::string unique_key(const Genotype& g) const;

  // pick_inputs layout: the decision index of a node's inputs choice.
  int node_offset(int cell_type, int node) const {
    return (cell_type * config_.nodes + node) * (1 + config_.inputs_per_node);
  }
  // The inputs a pick_inputs choice stands for, ascending.
  const std::vector<int>& chosen_inputs(int node, int choice) const {
    return subsets_[node][choice];
  }

 private:
  Genotype canonicalize_pick_inputs(const Genotype& g) const;
  std::string nb201_string(const Genotype& g) const;
  Result<Genotype> parse_nb201(const std::string& s) const;
  std::string darts_string(const Genotype& g) const;
  Result<Genotype> parse_darts(const std::string& s) const;
  int op_index(const std::string& name) const;  // -1 when unknown

  CellConfig config_;
  std::vector<Decision> decisions_;
  std::vector<std::vector<std::vector<int>>> subsets_;  // pick_inputs: [node][choice]
  std::map<std::string, Genotype> representative_;       // all_pairs: key -> smallest genotype
};

}  // namespace nas::space::cell
