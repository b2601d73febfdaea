// The names of the evaluators, with whether each is built in this binary
// (the evaluator registry of the search-engine issue supplies factories).
#pragma once

#include <span>

#include "nas/util/catalog_entry.h"

namespace nas {

std::span<const CatalogEntry> evaluator_catalog();

}  // namespace nas
