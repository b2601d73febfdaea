// Space: an op space loaded from YAML, seen by every strategy as a list of
// categorical decisions. A genotype picks one choice per decision; the space
// decodes it into an architecture (the same plain data `nas train` reads),
// which nas/graph builds into a NetworkSpec for any batch size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nas/config/architecture.h"
#include "ops/core/status.h"

namespace nas::space {

// One categorical decision: "stage2.kernel" with choices {"3", "5", "7"}.
struct Decision {
  std::string name;
  std::vector<std::string> choices;  // at least one
};

// One index per decision, each in [0, choices.size()).
using Genotype = std::vector<int>;

enum class SpaceKind { kMacro, kCell, kSequence };

class Space {
 public:
  Space() = default;
  virtual ~Space() = default;
  Space(const Space&) = delete;
  Space& operator=(const Space&) = delete;

  virtual const std::string& name() const = 0;
  virtual SpaceKind kind() const = 0;
  virtual const std::vector<Decision>& decisions() const = 0;

  // A string that identifies the architecture, stable across runs and
  // versions (NAS-Bench-201's arch string for nas_bench_201, the DARTS
  // genotype notation for darts). REQUIRES: valid(g).
  virtual std::string canonical_string(const Genotype& g) const = 0;
  // The genotype of a canonical string; the error says what does not parse.
  virtual Result<Genotype> parse(const std::string& canonical) const = 0;
  // The representative of g's isomorphism class (cells whose graphs are the
  // same up to relabelling, or with ops that cannot affect the output): two
  // genotypes describe the same network iff their canonical forms are equal.
  // Default: g itself.
  virtual Genotype canonicalize(const Genotype& g) const { return g; }
  // The architecture g describes (input shape, nodes, logits output).
  // REQUIRES: valid(g).
  virtual Result<config::Architecture> decode(const Genotype& g) const = 0;

  // True when g has one in-range index per decision.
  bool valid(const Genotype& g) const;
};

}  // namespace nas::space
