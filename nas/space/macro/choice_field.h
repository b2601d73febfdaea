// ChoiceField: one setting of a macro or sequence space ("kernel: [3, 5]"),
// either a constant (one choice) or a decision, once per stage or once per
// layer. The loaders read fields from YAML; the spaces use them to emit
// decisions, read a genotype, and print / parse canonical strings, so the
// three always agree on the order and the spelling of choices.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nas/config/yaml_reader.h"
#include "nas/space/space.h"

namespace nas::space {

struct ChoiceField {
  std::string key;                  // YAML key, "kernel"
  std::string prefix;               // before its value in canonical strings, "k"
  std::vector<std::string> texts;   // the choices, as written (ints normalised)
  std::vector<double> values;       // numeric choices; empty for named ones
  bool per_layer = false;           // one decision per layer instead of one per stage
  config::Location where;           // the value in the file (line 0: a default)
  // Filled by add_decisions: per slot (1, or max depth when per_layer) the
  // decision index, or -1 when the field has one choice (a constant).
  std::vector<int> decisions;

  double value(int choice) const { return values[choice]; }
};

// What kind of scalars a field holds.
struct FieldKind {
  enum class Type { kInteger, kNumber, kName, kFlag } type = Type::kInteger;
  config::IntBounds int_bounds;            // kInteger
  config::NumberBounds number_bounds;      // kNumber
  std::vector<std::string> names;          // kName: the valid names
  std::string name_kind = "name";          // kName: "block type" for messages
  std::string name_kinds = "names";        // kName: "block types"
  bool odd = false;                        // kInteger: only odd values (kernels)
};

// Shorthands for the field kinds.
FieldKind integer_field(config::IntBounds bounds, bool odd = false);
FieldKind number_field(config::NumberBounds bounds);
FieldKind name_field(std::vector<std::string> valid, std::string kind, std::string kinds);
FieldKind flag_field();

// Reads `key` of `map` as one scalar or a non-empty list of distinct
// scalars. Absent: `fallback` (one choice) when given, else reports the
// missing key. Nullopt after a diagnostic. Flags accept true/false/0/1 and
// are spelled "0"/"1".
std::optional<ChoiceField> read_choice_field(config::MapReader& map, const std::string& key,
                                             const std::string& prefix, const FieldKind& kind,
                                             const std::optional<std::string>& fallback);

// Appends a decision named `name` (or `name` with ".layerJ" inserted before
// the key, per layer) for each slot of a field with >= 2 choices; fills
// field.decisions. `scope` is "stage2" (or "" at top level).
void add_decisions(ChoiceField& field, const std::string& scope, int max_depth,
                   std::vector<Decision>& decisions);

// The choice index of the field for `layer` (0-based; ignored unless
// per_layer) in g, marking its decision in `used` (when not null).
int pick(const ChoiceField& field, const Genotype& g, int layer, std::vector<char>* used);

// "k3" or, per layer, "k3/5/5": prefix + each slot's choice text.
std::string field_text(const ChoiceField& field, const Genotype& g);

// Sets g's decisions of `field` from its text (the inverse of field_text);
// the error names what does not parse.
Status parse_field(const ChoiceField& field, std::string_view text, Genotype& g);

// "a,b,c" split on `sep`, keeping empty parts.
std::vector<std::string_view> split(std::string_view text, char sep);

}  // namespace nas::space
