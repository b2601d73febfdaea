// Canonical strings of cell genotypes: NAS-Bench-201's arch strings and the
// DARTS genotype notation, printed and parsed.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "nas/config/yaml_reader.h"
#include "nas/space/cell/cell_space.h"

namespace nas::space::cell {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == sep) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::string concat_text(int nodes) {
  std::string s = "[";
  for (int j = 2; j < nodes + 2; ++j) s += (j > 2 ? ", " : "") + std::to_string(j);
  return s + "]";
}

// A cursor over a DARTS genotype string that skips whitespace.
class Cursor {
 public:
  explicit Cursor(const std::string& s) : s_(s) {}
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(std::string_view token) {
    skip();
    if (s_.compare(i_, token.size(), token) != 0) return false;
    i_ += token.size();
    return true;
  }
  bool at(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  std::optional<std::string> word() {
    skip();
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
    if (b == i_) return std::nullopt;
    return s_.substr(b, i_ - b);
  }
  std::optional<int> integer() {
    auto w = word();
    if (!w || !std::all_of(w->begin(), w->end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        w->size() > 6)
      return std::nullopt;
    return std::stoi(*w);
  }
  // A quoted name: 'x' or "x".
  std::optional<std::string> quoted() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) return std::nullopt;
    const char q = s_[i_++];
    const size_t end = s_.find(q, i_);
    if (end == std::string::npos) return std::nullopt;
    std::string w = s_.substr(i_, end - i_);
    i_ = end + 1;
    return w;
  }
  bool done() {
    skip();
    return i_ == s_.size();
  }
  // "at character 12 ('normal=[...')": where parsing stopped, 1-based.
  std::string where() const {
    return "at character " + std::to_string(i_ + 1) + " ('" + s_.substr(i_, 16) + "')";
  }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

Status darts_error(const std::string& message) {
  return Status::error("invalid DARTS genotype: " + message);
}

}  // namespace

std::string CellSpace::nb201_string(const Genotype& g) const {
  std::string s;
  int e = 0;
  for (int j = 1; j < config_.nodes; ++j) {
    s += j > 1 ? "+|" : "|";
    for (int i = 0; i < j; ++i, ++e) s += config_.ops[g[e]].name + "~" + std::to_string(i) + "|";
  }
  return s;
}

Result<Genotype> CellSpace::parse_nb201(const std::string& s) const {
  auto fail = [&](const std::string& m) {
    return Status::error("invalid NAS-Bench-201 arch string '" + s + "': " + m);
  };
  const std::vector<std::string> nodes = split(s, '+');
  const int want = config_.nodes - 1;
  if (static_cast<int>(nodes.size()) != want)
    return fail("expected " + std::to_string(want) + " nodes separated by '+', got " +
                std::to_string(nodes.size()));
  std::vector<std::string> op_names;
  for (const Composite& c : config_.ops) op_names.push_back(c.name);
  Genotype g;
  for (int j = 1; j <= want; ++j) {
    const std::string& node = nodes[j - 1];
    const std::string node_name = "node " + std::to_string(j) + " ('" + node + "')";
    if (node.size() < 2 || node.front() != '|' || node.back() != '|')
      return fail(node_name + " must start and end with '|'");
    const std::vector<std::string> edges = split(node.substr(1, node.size() - 2), '|');
    if (static_cast<int>(edges.size()) != j)
      return fail(node_name + ": expected " + std::to_string(j) + " edges 'op~input', got " +
                  std::to_string(edges.size()));
    for (int i = 0; i < j; ++i) {
      const size_t tilde = edges[i].rfind('~');
      if (tilde == std::string::npos)
        return fail(node_name + ": edge '" + edges[i] + "' is not 'op~input'");
      const std::string op = edges[i].substr(0, tilde);
      const std::string input = edges[i].substr(tilde + 1);
      if (input != std::to_string(i))
        return fail(node_name + ": edge '" + edges[i] + "' must read node " + std::to_string(i) +
                    " (edges are listed by input, 0 to " + std::to_string(j - 1) + ")");
      const int k = op_index(op);
      if (k < 0) return fail(node_name + ": " + config::unknown_name("op", "ops", op, op_names));
      g.push_back(k);
    }
  }
  return g;
}

std::string CellSpace::darts_string(const Genotype& g) const {
  const int k = config_.inputs_per_node;
  std::string s = "Genotype(";
  for (int t = 0; t < 2; ++t) {
    const std::string type = t == 0 ? "normal" : "reduce";
    s += (t ? ", " : "") + type + "=[";
    for (int n = 0; n < config_.nodes; ++n) {
      const int at = node_offset(t, n);
      const std::vector<int>& in = chosen_inputs(n, g[at]);
      for (int q = 0; q < k; ++q)
        s += std::string(n || q ? ", " : "") + "('" + config_.ops[g[at + 1 + q]].name + "', " +
             std::to_string(in[q]) + ")";
    }
    s += "], " + type + "_concat=" + concat_text(config_.nodes);
  }
  return s + ")";
}

Result<Genotype> CellSpace::parse_darts(const std::string& s) const {
  const int k = config_.inputs_per_node;
  std::vector<std::string> op_names;
  for (const Composite& c : config_.ops) op_names.push_back(c.name);
  Cursor cur(s);
  if (!cur.eat("Genotype") || !cur.eat("("))
    return darts_error("expected 'Genotype(' " + cur.where());
  // field -> pairs (cells) or concat list
  std::map<std::string, std::vector<std::pair<std::string, int>>> cells;
  std::map<std::string, std::vector<int>> concats;
  const std::vector<std::string> fields = {"normal", "normal_concat", "reduce", "reduce_concat"};
  while (!cur.at(')')) {
    if (!cells.empty() || !concats.empty()) {
      if (!cur.eat(",")) return darts_error("expected ',' or ')' " + cur.where());
    }
    const auto field = cur.word();
    if (!field || std::find(fields.begin(), fields.end(), *field) == fields.end())
      return darts_error(config::unknown_name("field", "fields", field.value_or(""), fields) + " " +
                         cur.where());
    if (cells.count(*field) || concats.count(*field))
      return darts_error("field '" + *field + "' given twice");
    if (!cur.eat("=")) return darts_error("expected '=' after '" + *field + "' " + cur.where());
    if (field->ends_with("_concat")) {
      std::vector<int>& list = concats[*field];
      if (cur.eat("range")) {
        if (!cur.eat("(")) return darts_error("expected 'range(a, b)' " + cur.where());
        auto a = cur.integer();
        if (!a || !cur.eat(",")) return darts_error("expected 'range(a, b)' " + cur.where());
        auto b = cur.integer();
        if (!b || !cur.eat(")")) return darts_error("expected 'range(a, b)' " + cur.where());
        for (int v = *a; v < *b; ++v) list.push_back(v);
      } else {
        if (!cur.eat("[")) return darts_error("expected a list '[2, 3, ...]' " + cur.where());
        while (!cur.eat("]")) {
          if (!list.empty() && !cur.eat(",")) return darts_error("expected ',' or ']' " + cur.where());
          auto v = cur.integer();
          if (!v) return darts_error("expected a node number " + cur.where());
          list.push_back(*v);
        }
      }
      continue;
    }
    auto& pairs = cells[*field];
    if (!cur.eat("[")) return darts_error("expected a list of ('op', input) pairs " + cur.where());
    while (!cur.eat("]")) {
      if (!pairs.empty() && !cur.eat(",")) return darts_error("expected ',' or ']' " + cur.where());
      if (!cur.eat("(")) return darts_error("expected ('op', input) " + cur.where());
      auto op = cur.quoted();
      if (!op || !cur.eat(",")) return darts_error("expected ('op', input) " + cur.where());
      auto in = cur.integer();
      if (!in || !cur.eat(")")) return darts_error("expected ('op', input) " + cur.where());
      pairs.emplace_back(*op, *in);
    }
  }
  cur.eat(")");
  if (!cur.done()) return darts_error("unexpected text after ')' " + cur.where());
  for (const std::string& f : fields)
    if (!cells.count(f) && !concats.count(f)) return darts_error("missing field '" + f + "'");
  const std::string want_concat = concat_text(config_.nodes);
  for (const char* f : {"normal_concat", "reduce_concat"}) {
    std::vector<int> want;
    for (int j = 2; j < config_.nodes + 2; ++j) want.push_back(j);
    if (concats[f] != want)
      return darts_error(std::string(f) + ": this space concatenates every intermediate node, " +
                         want_concat);
  }
  Genotype g(decisions_.size(), 0);
  for (int t = 0; t < 2; ++t) {
    const std::string type = t == 0 ? "normal" : "reduce";
    const auto& pairs = cells[type];
    const size_t want = static_cast<size_t>(config_.nodes) * k;
    if (pairs.size() != want)
      return darts_error(type + ": expected " + std::to_string(want) + " ('op', input) pairs (" +
                         std::to_string(config_.nodes) + " nodes x " + std::to_string(k) +
                         "), got " + std::to_string(pairs.size()));
    for (int n = 0; n < config_.nodes; ++n) {
      std::vector<std::pair<int, int>> edges;  // (input, op)
      for (int q = 0; q < k; ++q) {
        const auto& [op, in] = pairs[n * k + q];
        const std::string node = type + " node " + std::to_string(n + 2);
        const int o = op_index(op);
        if (o < 0) return darts_error(node + ": " + config::unknown_name("op", "ops", op, op_names));
        if (in < 0 || in > n + 1)
          return darts_error(node + ": input " + std::to_string(in) + " is not an earlier node (0 to " +
                             std::to_string(n + 1) + ")");
        for (const auto& e : edges)
          if (e.first == in)
            return darts_error(node + ": input " + std::to_string(in) + " is used twice");
        edges.emplace_back(in, o);
      }
      std::sort(edges.begin(), edges.end());
      std::vector<int> inputs;
      for (const auto& e : edges) inputs.push_back(e.first);
      const int at = node_offset(t, n);
      const auto& choices = subsets_[n];
      g[at] = static_cast<int>(std::find(choices.begin(), choices.end(), inputs) - choices.begin());
      for (int q = 0; q < k; ++q) g[at + 1 + q] = edges[q].second;
    }
  }
  return g;
}

}  // namespace nas::space::cell
