// The names of the search strategies, with whether each is built in this
// binary. The engine's strategy registry (search-engine issue) fills in the
// factories; until then config validation and `nas list` read this table.
#pragma once

#include <span>

#include "nas/util/catalog_entry.h"

namespace nas {

std::span<const CatalogEntry> strategy_catalog();

}  // namespace nas
