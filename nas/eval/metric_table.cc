#include "nas/eval/metric_table.h"

#include "nas/eval/csv_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace nas::eval {
namespace {

bool valid_column_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '@' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  if (end != begin + text.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool blank_or_comment(const std::string& line) {
  for (char c : line) {
    if (c == '#') return true;
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

// Collects at most kMaxErrors diagnostics, counting the rest.
class ErrorSink {
 public:
  ErrorSink(const std::string& file, config::Diagnostics& d) : file_(file), d_(d) {}
  void add(int line, int column, std::string message) {
    ++count_;
    if (count_ <= MetricTable::kMaxErrors) d_.add({file_, line, column}, std::move(message));
  }
  void finish() {
    if (count_ > MetricTable::kMaxErrors)
      d_.add({file_, 0, 0}, std::to_string(count_ - MetricTable::kMaxErrors) +
                                " more errors not shown (fix the ones above first)");
  }
  size_t count() const { return count_; }

 private:
  const std::string& file_;
  config::Diagnostics& d_;
  size_t count_ = 0;
};

}  // namespace

const std::map<std::string, double>* MetricTable::find(const std::string& canonical) const {
  const auto it = rows_.find(canonical);
  return it == rows_.end() ? nullptr : &it->second;
}

std::optional<MetricTable> MetricTable::parse(const std::string& file, const std::string& text,
                                              const space::Space& space,
                                              config::Diagnostics& diagnostics) {
  ErrorSink errors(file, diagnostics);
  MetricTable table;
  std::map<std::string, int> first_line_of;  // canonical arch -> line it was first seen on
  std::vector<std::string> header;
  bool have_header = false;
  int line_no = 0;
  int last_line = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank_or_comment(line)) continue;
    last_line = line_no;
    CsvError error;
    auto fields = split_csv_line(line, &error);
    if (!fields) {
      errors.add(line_no, error.column, error.message);
      if (!have_header) break;  // without a header no row can be read
      continue;
    }
    if (!have_header) {
      have_header = true;
      std::set<std::string> seen;
      for (size_t c = 0; c < fields->size(); ++c) {
        const CsvField& f = (*fields)[c];
        if (c == 0) {
          if (f.text != "arch")
            errors.add(line_no, f.column,
                       "the first column must be 'arch' (the canonical genotype string), got '" +
                           f.text + "'");
        } else if (!valid_column_name(f.text)) {
          errors.add(line_no, f.column,
                     "bad column name '" + f.text +
                         "' (expected a metric name of letters, digits, '_', '@', '.', '-')");
        } else if (f.text == "arch" || !seen.insert(f.text).second) {
          errors.add(line_no, f.column, "duplicate column '" + f.text + "'");
        }
        header.push_back(f.text);
      }
      if (!seen.count("accuracy"))
        errors.add(line_no, 1, "no 'accuracy' column (expected a header like arch,accuracy[,...])");
      if (errors.count() > 0) break;  // rows cannot be checked against a broken header
      table.columns_.assign(header.begin() + 1, header.end());
      continue;
    }
    if (fields->size() != header.size()) {
      const int column = fields->size() > header.size()
                             ? (*fields)[header.size()].column
                             : static_cast<int>(line.size()) + 1;
      errors.add(line_no, column,
                 "expected " + std::to_string(header.size()) + " fields like the header, got " +
                     std::to_string(fields->size()));
      continue;
    }
    const CsvField& arch = (*fields)[0];
    auto genotype = space.parse(arch.text);
    std::string key;
    if (!genotype) {
      errors.add(line_no, arch.column, genotype.status().message());
    } else {
      key = space.canonical_string(genotype.value());
      const auto [it, inserted] = first_line_of.emplace(key, line_no);
      if (!inserted) {
        errors.add(line_no, arch.column,
                   "duplicate arch '" + arch.text + "' (first at line " +
                       std::to_string(it->second) + ")");
        key.clear();
      }
    }
    std::map<std::string, double> metrics;
    bool row_ok = !key.empty();
    for (size_t c = 1; c < fields->size(); ++c) {
      const CsvField& f = (*fields)[c];
      const auto v = parse_number(f.text);
      if (!v) {
        errors.add(line_no, f.column,
                   "column '" + header[c] + "': expected a finite number, got '" + f.text + "'");
        row_ok = false;
        continue;
      }
      if (header[c] == "accuracy" && (*v < 0 || *v > 1)) {
        errors.add(line_no, f.column,
                   "accuracy must be a fraction in [0, 1] (not a percentage), got " + f.text);
        row_ok = false;
        continue;
      }
      metrics[header[c]] = *v;
    }
    if (row_ok) table.rows_.emplace(std::move(key), std::move(metrics));
  }
  if (!have_header && errors.count() == 0)
    errors.add(0, 0, "empty table (expected a header line arch,accuracy[,...] and rows)");
  else if (have_header && errors.count() == 0 && table.rows_.empty())
    errors.add(last_line, 1, "the table has a header but no rows");
  errors.finish();
  if (errors.count() > 0) return std::nullopt;
  return table;
}

std::optional<MetricTable> MetricTable::load(const std::string& file, const space::Space& space,
                                             config::Diagnostics& diagnostics) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diagnostics.add({file, 0, 0}, "failed to open the table");
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(file, ss.str(), space, diagnostics);
}

}  // namespace nas::eval
