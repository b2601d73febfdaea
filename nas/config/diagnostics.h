// User-facing errors about input files: each one points at file:line:column
// and reads "file:line:col: error: what (expected ..., got ...)". A parser
// collects every problem of a file in one Diagnostics, so the user sees all
// of them at once instead of fixing one per run.
#pragma once

#include <string>
#include <vector>

namespace nas::config {

// A place in a user's file. line and column are 1-based; line == 0 means
// "the file as a whole" (it could not be read at all).
struct Location {
  std::string file;  // as the user gave it (relative paths stay relative)
  int line = 0;
  int column = 0;

  // "file:line:col", or "file" when line == 0.
  std::string str() const;
};

struct Diagnostic {
  Location where;
  std::string message;  // no "error:" prefix, no trailing newline

  // "file:line:col: error: message" (or "file: error: message" when line == 0).
  std::string str() const;
};

// An ordered list of diagnostics. Not thread-safe.
class Diagnostics {
 public:
  void add(Location where, std::string message);
  void append(const Diagnostics& other);

  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Orders by (file, line, column), keeping the insertion order of
  // diagnostics at the same place: "file order" for a parser that checks
  // keys in schema order rather than in the order they appear.
  void sort_by_location();

  // Every diagnostic's str(), one a line, separated by '\n' (no trailing newline).
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace nas::config
