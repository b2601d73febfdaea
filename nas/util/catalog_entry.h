#pragma once

namespace nas {

// One named extension (strategy, evaluator, ...) as `nas list` shows it.
struct CatalogEntry {
  const char* name;
  const char* summary;
  bool built;  // false: the name is reserved and validated, its machinery not in this binary yet
};

}  // namespace nas
