#include "nas/hardware/op_class.h"

#include <array>

namespace nas::hardware {
namespace {

struct OpClassEntry {
  std::string_view op;
  OpClass cls;
  bool activation = false;
};

// Every registry op (ops/core/op_registry.cc's families). An op missing here
// costs as kOther; tests/nas/hardware/op_class_test.cc checks the table
// covers the registry, so a new op fails that test until it is listed.
constexpr std::array kTable = {
    OpClassEntry{"conv2d", OpClass::kConv},
    OpClassEntry{"depthwise_conv2d", OpClass::kDepthwise},
    OpClassEntry{"linear", OpClass::kLinear},
    OpClassEntry{"patch_embedding", OpClass::kConv},
    OpClassEntry{"attention", OpClass::kAttention},
    OpClassEntry{"attention_tiled", OpClass::kAttention},
    OpClassEntry{"attention_sliding_window", OpClass::kAttention},
    OpClassEntry{"attention_linear", OpClass::kAttention},
    OpClassEntry{"lstm", OpClass::kRecurrent},
    OpClassEntry{"gru", OpClass::kRecurrent},
    OpClassEntry{"rnn_tanh", OpClass::kRecurrent},
    OpClassEntry{"max_pool", OpClass::kPool},
    OpClassEntry{"avg_pool", OpClass::kPool},
    OpClassEntry{"global_avg_pool", OpClass::kPool},
    OpClassEntry{"batch_norm", OpClass::kNorm},
    OpClassEntry{"layer_norm", OpClass::kNorm},
    OpClassEntry{"relu", OpClass::kElementwise, true},
    OpClassEntry{"relu6", OpClass::kElementwise, true},
    OpClassEntry{"hsigmoid", OpClass::kElementwise, true},
    OpClassEntry{"hswish", OpClass::kElementwise, true},
    OpClassEntry{"swish", OpClass::kElementwise, true},
    OpClassEntry{"sigmoid", OpClass::kElementwise, true},
    OpClassEntry{"tanh", OpClass::kElementwise, true},
    OpClassEntry{"gelu", OpClass::kElementwise, true},
    OpClassEntry{"add", OpClass::kElementwise},
    OpClassEntry{"mul", OpClass::kElementwise},
    OpClassEntry{"concat", OpClass::kElementwise},
    OpClassEntry{"split", OpClass::kElementwise},
    OpClassEntry{"channel_shuffle", OpClass::kElementwise},
    OpClassEntry{"reshape", OpClass::kElementwise},
    OpClassEntry{"dropout", OpClass::kElementwise},
    OpClassEntry{"zero", OpClass::kElementwise},
    OpClassEntry{"weighted_sum", OpClass::kElementwise},
    OpClassEntry{"positional_encoding_sinusoidal", OpClass::kElementwise},
    OpClassEntry{"positional_encoding_learned", OpClass::kElementwise},
    OpClassEntry{"embedding", OpClass::kOther},  // a gather: memory-bound, no MACs
    OpClassEntry{"squeeze_excitation", OpClass::kOther},  // pool + 2 FC + gate in one op
    OpClassEntry{"squeeze_excitation_hsigmoid", OpClass::kOther},
    OpClassEntry{"softmax_cross_entropy", OpClass::kOther},
};

constexpr std::array<const char*, kNumOpClasses> kClassNames = {
    "conv", "depthwise", "pointwise", "linear", "attention",
    "recurrent", "pool", "norm", "elementwise", "other"};

const OpClassEntry* find_entry(std::string_view op) {
  for (const OpClassEntry& e : kTable)
    if (e.op == op) return &e;
  return nullptr;
}

}  // namespace

OpClass op_class(std::string_view op, int kernel, int groups) {
  const OpClassEntry* e = find_entry(op);
  if (e == nullptr) return OpClass::kOther;
  if (e->cls == OpClass::kConv && op == "conv2d") {
    if (groups != 1) return OpClass::kDepthwise;
    if (kernel == 1) return OpClass::kPointwise;
  }
  return e->cls;
}

OpClass op_class(std::string_view op, const ops::OpAttrs& attrs) {
  return op_class(op, attrs.kernel, attrs.groups);
}

bool is_activation_op(std::string_view op) {
  const OpClassEntry* e = find_entry(op);
  return e != nullptr && e->activation;
}

bool op_class_listed(std::string_view op) { return find_entry(op) != nullptr; }

const char* op_class_name(OpClass c) { return kClassNames[static_cast<int>(c)]; }

std::optional<OpClass> op_class_from_name(std::string_view name) {
  for (int i = 0; i < kNumOpClasses; ++i)
    if (name == kClassNames[i]) return static_cast<OpClass>(i);
  return std::nullopt;
}

std::vector<std::string> op_class_names() { return {kClassNames.begin(), kClassNames.end()}; }

}  // namespace nas::hardware
