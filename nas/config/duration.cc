#include "nas/config/duration.h"

#include <limits>

namespace nas::config {

std::optional<int64_t> parse_duration_s(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Unit {
    char symbol;
    int64_t seconds;
  };
  static constexpr Unit kUnits[] = {{'h', 3600}, {'m', 60}, {'s', 1}};
  int64_t total = 0;
  size_t next_unit = 0;  // units must appear in h, m, s order, each once
  size_t i = 0;
  while (i < text.size()) {
    int64_t value = 0;
    const size_t digits_start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      const int digit = text[i] - '0';
      if (value > (kMax - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
    }
    if (i == digits_start) return std::nullopt;
    int64_t scale = 0;
    if (i == text.size()) {
      // A bare number is seconds, but only as the whole text: "1h30" is
      // more likely a typo for 1h30m than 1h and 30 seconds.
      if (digits_start != 0) return std::nullopt;
      scale = 1;
    } else {
      for (; next_unit < std::size(kUnits); ++next_unit) {
        if (kUnits[next_unit].symbol == text[i]) break;
      }
      if (next_unit == std::size(kUnits)) return std::nullopt;
      scale = kUnits[next_unit].seconds;
      ++next_unit;
      ++i;
    }
    if (value > kMax / scale) return std::nullopt;
    const int64_t part = value * scale;
    if (total > kMax - part) return std::nullopt;
    total += part;
  }
  return total;
}

}  // namespace nas::config
