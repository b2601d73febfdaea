// Counts for people: 36506 -> "36.5k", 1699488 -> "1.70M" (params, MACs in
// tables and summaries; machine-readable outputs keep the exact integer).
#pragma once

#include <string>

namespace nas {

std::string compact_count(double v);

}  // namespace nas
