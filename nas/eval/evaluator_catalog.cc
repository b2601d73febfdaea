#include "nas/eval/evaluator_catalog.h"

namespace nas {

std::span<const CatalogEntry> evaluator_catalog() {
  static const CatalogEntry kEntries[] = {
      {"train", "train each candidate from scratch on a subset, report valid accuracy", true},
      {"tabular", "look candidates up in a CSV of published benchmark results", true},
  };
  return kEntries;
}

}  // namespace nas
