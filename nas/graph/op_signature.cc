#include "nas/graph/op_signature.h"

namespace nas::graph {
namespace {

const char* activation_name(ops::Activation a) {
  switch (a) {
    case ops::Activation::kNone: return "none";
    case ops::Activation::kRelu: return "relu";
    case ops::Activation::kRelu6: return "relu6";
    case ops::Activation::kHswish: return "hswish";
    case ops::Activation::kSwish: return "swish";
    case ops::Activation::kSigmoid: return "sigmoid";
    case ops::Activation::kTanh: return "tanh";
    case ops::Activation::kGelu: return "gelu";
  }
  return "?";
}

std::string dims(std::span<const int64_t> d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(d[i]);
  }
  s += ']';
  return s;
}

std::string shape_text(const ops::Shape& shape) {
  std::string s = "[";
  for (int i = 0; i < shape.rank(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

// Floats print with enough digits to round-trip, so distinct values never
// collide.
std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

}  // namespace

std::string op_signature(const std::string& op, const ops::OpAttrs& a,
                         std::span<const ops::Shape> inputs) {
  const ops::OpAttrs d;
  std::string s = op;
  for (const ops::Shape& in : inputs) s += "|in=" + shape_text(in);
  auto field = [&s](const char* name, const std::string& value) {
    s += '|';
    s += name;
    s += '=';
    s += value;
  };
  if (a.out_channels != d.out_channels) field("out_channels", std::to_string(a.out_channels));
  if (a.kernel != d.kernel) field("kernel", std::to_string(a.kernel));
  if (a.stride != d.stride) field("stride", std::to_string(a.stride));
  if (a.padding != d.padding) field("padding", std::to_string(a.padding));
  if (a.dilation != d.dilation) field("dilation", std::to_string(a.dilation));
  if (a.groups != d.groups) field("groups", std::to_string(a.groups));
  if (a.bias != d.bias) field("bias", a.bias ? "true" : "false");
  if (a.eps != d.eps) field("eps", number(a.eps));
  if (a.momentum != d.momentum) field("momentum", number(a.momentum));
  if (a.probability != d.probability) field("probability", number(a.probability));
  if (a.label_smoothing != d.label_smoothing) field("label_smoothing", number(a.label_smoothing));
  if (a.se_reduction != d.se_reduction) field("se_reduction", std::to_string(a.se_reduction));
  if (a.shuffle_groups != d.shuffle_groups) field("shuffle_groups", std::to_string(a.shuffle_groups));
  if (a.split_sizes != d.split_sizes) field("split_sizes", dims(a.split_sizes));
  if (a.shape != d.shape) field("shape", dims(a.shape));
  if (a.activation != d.activation) field("activation", activation_name(a.activation));
  if (a.heads != d.heads) field("heads", std::to_string(a.heads));
  if (a.window != d.window) field("window", std::to_string(a.window));
  if (a.causal != d.causal) field("causal", a.causal ? "true" : "false");
  if (a.vocab != d.vocab) field("vocab", std::to_string(a.vocab));
  if (a.hidden != d.hidden) field("hidden", std::to_string(a.hidden));
  return s;
}

uint64_t signature_hash(const std::string& signature) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : signature) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace nas::graph
