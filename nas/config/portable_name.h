// Names that become folder names (runs/<name>) and CSV columns (experiments,
// hardware profiles) are kept to a portable alphabet.
#pragma once

#include <string>

namespace nas::config {

// The rule, as error messages state it.
inline constexpr const char* kPortableNameRule = "letters, digits, '_', '.' or '-'";

// True when s is non-empty, not "." or "..", and uses only kPortableNameRule's characters.
bool is_portable_name(const std::string& s);

}  // namespace nas::config
