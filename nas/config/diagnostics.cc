#include "nas/config/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace nas::config {

std::string Location::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::str() const { return where.str() + ": error: " + message; }

void Diagnostics::add(Location where, std::string message) {
  items_.push_back(Diagnostic{std::move(where), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::sort_by_location() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
}

std::string Diagnostics::str() const {
  std::string s;
  for (const Diagnostic& d : items_) {
    if (!s.empty()) s += '\n';
    s += d.str();
  }
  return s;
}

}  // namespace nas::config
