// Numbers and times as text for messages and records.
#pragma once

#include <string>

namespace nas {

// v with `digits` digits after the point ("%.*f"): fixed(1.23456, 3) == "1.235".
std::string fixed(double v, int digits);

// The current UTC time through strftime's `format` (e.g. "%Y-%m-%dT%H:%M:%SZ").
std::string utc_now(const char* format);

}  // namespace nas
