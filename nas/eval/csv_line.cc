#include "nas/eval/csv_line.h"

namespace nas::eval {

std::optional<std::vector<CsvField>> split_csv_line(const std::string& line, CsvError* error) {
  std::vector<CsvField> fields;
  size_t i = 0;
  while (true) {
    CsvField f;
    f.column = static_cast<int>(i) + 1;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        f.text += line[i++];
      }
      if (!closed) {
        *error = {f.column, "unterminated quoted field (expected a closing '\"' on the same line)"};
        return std::nullopt;
      }
      if (i < line.size() && line[i] != ',') {
        *error = {static_cast<int>(i) + 1,
                  std::string("unexpected character '") + line[i] +
                      "' after a quoted field (expected ',' or the end of the line)"};
        return std::nullopt;
      }
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') {
          *error = {static_cast<int>(i) + 1,
                    "a '\"' inside an unquoted field (quote the whole field and double the '\"')"};
          return std::nullopt;
        }
        f.text += line[i++];
      }
    }
    fields.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

}  // namespace nas::eval
