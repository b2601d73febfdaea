#include "nas/config/portable_name.h"

namespace nas::config {

bool is_portable_name(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace nas::config
