// Durations as users write them in YAML: "90s", "10m", "2h", "1h30m".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nas::config {

// The accepted forms, for error messages.
inline constexpr std::string_view kDurationForms =
    "accepted forms: 90s, 10m, 2h, 1h30m, 1h30m15s, or a whole number of seconds like 600";

// Seconds in `text`: one or more whole-number parts with units h, m, s, in
// that order and each at most once ("1h30m", "45s"), or a bare whole number
// of seconds ("600"). No spaces, signs, fractions or other units. nullopt
// when malformed or when the total does not fit in int64.
std::optional<int64_t> parse_duration_s(std::string_view text);

}  // namespace nas::config
