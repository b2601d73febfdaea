#include "nas/space/space.h"

namespace nas::space {

bool Space::valid(const Genotype& g) const {
  const auto& d = decisions();
  if (g.size() != d.size()) return false;
  for (size_t i = 0; i < g.size(); ++i)
    if (g[i] < 0 || g[i] >= static_cast<int>(d[i].choices.size())) return false;
  return true;
}

}  // namespace nas::space
