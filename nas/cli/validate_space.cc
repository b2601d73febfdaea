#include "nas/cli/validate_space.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "nas/cli/command.h"
#include "nas/config/architecture_writer.h"
#include "nas/graph/architecture_builder.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "nas/util/compact_count.h"

namespace nas::cli {
namespace {

const char* kind_name(space::SpaceKind k) {
  switch (k) {
    case space::SpaceKind::kMacro: return "macro";
    case space::SpaceKind::kCell: return "cell";
    case space::SpaceKind::kSequence: return "sequence";
  }
  return "?";
}

}  // namespace

int validate_space(const std::string& path, int samples, uint64_t seed) {
  config::Diagnostics diagnostics;
  auto space = space::load_space(path, diagnostics);
  if (!space) {
    std::cerr << diagnostics.str() << "\n";
    return kExitUsage;
  }
  std::cout << path << ": valid " << kind_name(space->kind()) << " space '" << space->name()
            << "'\n  decisions: " << space->decisions().size() << "\n";
  for (const space::Decision& d : space->decisions()) {
    std::cout << "    " << d.name << ": ";
    for (size_t i = 0; i < d.choices.size(); ++i) std::cout << (i ? ", " : "") << d.choices[i];
    std::cout << "\n";
  }
  char log10[32];
  std::snprintf(log10, sizeof log10, "%.2f", space::space_size_log10(*space));
  std::cout << "  size: " << space::space_size(*space) << " architectures (10^" << log10 << ")\n";

  train::Rng rng(seed);
  std::vector<double> macs, params;
  config::Architecture example;
  for (int i = 0; i < samples; ++i) {
    const space::Genotype g = space::sample_uniform(*space, rng);
    auto arch = space->decode(g);
    if (!arch) {
      std::cerr << "nas validate: error: genotype " << space->canonical_string(g)
                << " does not decode: " << arch.status().message() << "\n";
      return kExitUsage;
    }
    auto spec = graph::build_network_spec(arch.value(), 1);
    if (!spec) {
      std::cerr << "nas validate: error: genotype " << space->canonical_string(g)
                << " does not build: " << spec.status().message() << "\n";
      return kExitUsage;
    }
    macs.push_back(static_cast<double>(spec->total_cost().macs));
    params.push_back(static_cast<double>(spec->param_count()));
    if (i == 0) example = arch.take();
  }
  if (samples > 0) {
    std::sort(macs.begin(), macs.end());
    std::sort(params.begin(), params.end());
    const size_t mid = macs.size() / 2;
    std::cout << "  over " << samples << " random architectures (seed " << seed
              << ", batch 1):\n    MACs:   min " << compact_count(macs.front()) << ", median "
              << compact_count(macs[mid]) << ", max " << compact_count(macs.back()) << "\n    params: min "
              << compact_count(params.front()) << ", median " << compact_count(params[mid]) << ", max "
              << compact_count(params.back()) << "\n  a sampled architecture (nas train reads this):\n\n"
              << config::write_architecture(example);
  }
  return kExitOk;
}

}  // namespace nas::cli
