// The distinct op configurations (signatures, nas/graph/op_signature.h) that
// occur in op spaces at one batch size: what `nas profile` measures, one
// latency-table entry each.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "nas/graph/network_spec.h"
#include "nas/space/space.h"
#include "ops/core/op_registry.h"
#include "ops/core/shape.h"
#include "ops/core/status.h"

namespace nas::hardware {

// Everything needed to create the op again through the registry.
struct OpConfig {
  std::string signature;
  uint64_t signature_hash = 0;
  std::string op;
  ops::OpAttrs attrs;
  std::vector<ops::Shape> input_shapes;
  ops::OpCost cost;  // the op's FLOPs and bytes (to derive efficiencies)
  // The first network found to contain it: the space (index into the
  // spaces given to collect_op_configs) and the genotype. The profiler
  // measures the configuration inside that network.
  int space_index = -1;
  space::Genotype genotype;
};

// How the configurations of one space were found.
struct SpaceCoverage {
  std::string space;
  bool exhaustive = false;   // every genotype was decoded
  int64_t genotypes = 0;     // genotypes decoded
  int64_t configs = 0;       // distinct signatures this space contributed (new or not)
};

class OpConfigSet {
 public:
  // Adds every op node of `spec` whose signature is new, with that origin.
  void add_spec(const graph::NetworkSpec& spec, int space_index = -1,
                const space::Genotype& genotype = {});
  // Adds `config` unless its signature is there already.
  void add_config(const OpConfig& config);
  const std::vector<OpConfig>& configs() const { return configs_; }
  size_t size() const { return configs_.size(); }
  bool contains(uint64_t signature_hash) const { return index_.count(signature_hash) > 0; }

 private:
  std::vector<OpConfig> configs_;  // in first-seen order
  std::unordered_map<uint64_t, size_t> index_;
};

struct CollectOptions {
  int64_t batch = 1;
  // A space of at most this many genotypes is enumerated whole (the set is
  // then exact); a larger one is sampled.
  int64_t enumerate_limit = 4'096;
  // Sampling stops after this many consecutive samples brought no new
  // signature (or at max_samples): the set is then an estimate.
  int64_t patience = 1'000;
  int64_t max_samples = 50'000;
  uint64_t seed = 0;  // sampling is deterministic given the seed
};

// Collects the configurations of every space into `set` (configurations
// already there are kept); one SpaceCoverage per space. The error names the
// genotype that failed to decode or build.
Result<std::vector<SpaceCoverage>> collect_op_configs(const std::vector<const space::Space*>& spaces,
                                                      const CollectOptions& options, OpConfigSet& set);

}  // namespace nas::hardware
