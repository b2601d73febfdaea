// One line of a CSV file, split into fields with RFC 4180 quoting confined
// to the line ("..." around a field holding commas; "" inside quotes is a
// quote). Shared by the tabular evaluator's table and `nas extract`'s
// reading of pareto.csv.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nas::eval {

struct CsvField {
  std::string text;  // unquoted
  int column = 1;    // 1-based column of its first character in the line
};

struct CsvError {
  int column = 1;  // 1-based
  std::string message;
};

// The fields of `line` (without its newline), or nullopt after filling
// *error on an unterminated quote, text after a closing quote, or a quote
// inside an unquoted field. An empty line is one empty field.
std::optional<std::vector<CsvField>> split_csv_line(const std::string& line, CsvError* error);

}  // namespace nas::eval
