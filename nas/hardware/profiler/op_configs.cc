#include "nas/hardware/profiler/op_configs.h"

#include "nas/graph/architecture_builder.h"
#include "nas/space/genotype_ops.h"
#include "nas/train/rng.h"

namespace nas::hardware {

void OpConfigSet::add_spec(const graph::NetworkSpec& spec, int space_index,
                           const space::Genotype& genotype) {
  for (int id = 0; id < spec.size(); ++id) {
    const graph::NodeSpec& node = spec.node(id);
    if (node.is_input() || index_.count(node.signature_hash)) continue;
    add_config({node.signature, node.signature_hash, node.op, node.attrs, node.input_shapes,
                node.cost, space_index, genotype});
  }
}

void OpConfigSet::add_config(const OpConfig& config) {
  if (!index_.emplace(config.signature_hash, configs_.size()).second) return;
  configs_.push_back(config);
}

namespace {

// Decodes g and adds its network's configurations; false with `error` set
// when the genotype does not build.
bool add_genotype(const space::Space& s, int space_index, const space::Genotype& g,
                  int64_t batch, OpConfigSet& set, Status& error) {
  auto arch = s.decode(g);
  if (!arch) {
    error = Status::error("failed to decode " + s.canonical_string(g) + " of space " + s.name() +
                          ": " + arch.status().message());
    return false;
  }
  auto spec = graph::build_network_spec(arch.value(), batch);
  if (!spec) {
    error = Status::error("failed to build " + s.canonical_string(g) + " of space " + s.name() +
                          ": " + spec.status().message());
    return false;
  }
  set.add_spec(spec.value(), space_index, g);
  return true;
}

// The number of genotypes, or -1 when it exceeds `limit`.
int64_t size_up_to(const space::Space& s, int64_t limit) {
  int64_t n = 1;
  for (const space::Decision& d : s.decisions()) {
    n *= static_cast<int64_t>(d.choices.size());
    if (n > limit) return -1;
  }
  return n;
}

}  // namespace

Result<std::vector<SpaceCoverage>> collect_op_configs(const std::vector<const space::Space*>& spaces,
                                                      const CollectOptions& options, OpConfigSet& set) {
  std::vector<SpaceCoverage> out;
  for (size_t si = 0; si < spaces.size(); ++si) {
    const space::Space* s = spaces[si];
    const int space_index = static_cast<int>(si);
    SpaceCoverage cov;
    cov.space = s->name();
    OpConfigSet own;  // this space's configurations, to count them
    Status error;
    bool failed = false;
    if (size_up_to(*s, options.enumerate_limit) >= 0) {
      cov.exhaustive = true;
      cov.genotypes = space::enumerate(*s, options.enumerate_limit, [&](const space::Genotype& g) {
        if (!add_genotype(*s, space_index, g, options.batch, own, error)) failed = true;
        return !failed;
      });
    } else {
      // Canonical genotypes only: cells that differ by relabelling build the
      // same network, so they cannot bring new configurations.
      train::Rng rng(options.seed);
      int64_t since_new = 0;
      while (since_new < options.patience && cov.genotypes < options.max_samples) {
        const space::Genotype g = s->canonicalize(space::sample_uniform(*s, rng));
        const size_t before = own.size();
        if (!add_genotype(*s, space_index, g, options.batch, own, error)) {
          failed = true;
          break;
        }
        ++cov.genotypes;
        since_new = own.size() == before ? since_new + 1 : 0;
      }
    }
    if (failed) return error;
    cov.configs = static_cast<int64_t>(own.size());
    for (const OpConfig& c : own.configs()) set.add_config(c);
    out.push_back(cov);
  }
  return out;
}

}  // namespace nas::hardware
