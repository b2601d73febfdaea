#include "nas/search/strategy_catalog.h"

namespace nas {

std::span<const CatalogEntry> strategy_catalog() {
  static const CatalogEntry kEntries[] = {
      {"random", "uniform random sampling of the space", true},
      {"evolution", "regularized (aging) evolution, Real et al. 2019", true},
      {"nsga2", "NSGA-II multi-objective evolution with constrained domination", true},
      {"reinforce", "REINFORCE controller (LSTM policy, moving-average baseline)", true},
  };
  return kEntries;
}

}  // namespace nas
