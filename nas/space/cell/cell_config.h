// The plain data of a `kind: cell` space file (docs/spaces.md, "cell"):
// candidate ops built from registry ops, the cell topology and how cells
// stack into a network. Loaded by cell_loader.h, used by CellSpace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/core/op_registry.h"

namespace nas::space::cell {

// One registry op of a composite. With `edge_stride` its stride is the
// edge's (2 on the input edges of a DARTS reduction cell, else 1).
struct Step {
  std::string op;
  ops::OpAttrs attrs;
  bool edge_stride = false;
};

// A candidate op: its steps applied in order; no steps is the identity.
// On a stride-2 edge `strided` replaces `steps` when given (DARTS's
// skip_connect becomes a factorized reduce there).
struct Composite {
  std::string name;
  std::vector<Step> steps;
  std::optional<std::vector<Step>> strided;

  bool is_identity() const { return steps.empty(); }
  // Exactly one `zero` step: the edge carries nothing and is left out.
  bool is_zero() const { return steps.size() == 1 && steps[0].op == "zero"; }
  // The steps used on an edge of this stride.
  const std::vector<Step>& steps_for(int stride) const {
    return stride > 1 && strided ? *strided : steps;
  }
};

enum class Topology {
  kAllPairs,    // NAS-Bench-201: node 0 is the input, every i<j is an edge j<-i
  kPickInputs,  // DARTS: two cell inputs, each intermediate node sums k chosen inputs
};

struct CellConfig {
  std::string name;
  std::string description;
  std::vector<Composite> ops;  // the candidate ops, in choice order
  Topology topology = Topology::kAllPairs;
  // all_pairs: every node including the input node 0 (the last is the
  // output); pick_inputs: the intermediate nodes (all concatenated).
  int nodes = 4;
  int inputs_per_node = 2;  // pick_inputs only

  int64_t height = 32, width = 32, channels = 3;  // one input sample, HWC
  int classes = 10;
  int init_channels = 16;
  // all_pairs network (NAS-Bench-201's): stem conv, `stages` stages of
  // `cells_per_stage` cells, a residual reduction block between stages.
  int stages = 3;
  int cells_per_stage = 5;
  // pick_inputs network (DARTS's NetworkCIFAR): stem conv of
  // stem_multiplier*init_channels, `cells` cells, reduction cells at
  // cells/3 and 2*cells/3 (channels doubled there).
  int cells = 8;
  int stem_multiplier = 3;
};

}  // namespace nas::space::cell
