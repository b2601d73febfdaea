#include "nas/config/architecture_writer.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>

namespace nas::config {
namespace {

std::string shortest(double v) {
  char buf[32];
  for (int precision = 1; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (static_cast<float>(std::strtod(buf, nullptr)) == static_cast<float>(v)) break;
  }
  return buf;
}

void emit_attrs(YAML::Emitter& out, const ops::OpAttrs& a) {
  static const ops::OpAttrs d;
  static const char* const kActivations[] = {"none", "relu", "relu6", "hswish",
                                             "swish", "sigmoid", "tanh", "gelu"};
  auto i = [&](const char* k, int64_t v, int64_t dv) {
    if (v != dv) out << YAML::Key << k << YAML::Value << v;
  };
  auto f = [&](const char* k, float v, float dv) {
    if (v != dv) out << YAML::Key << k << YAML::Value << shortest(v);
  };
  auto b = [&](const char* k, bool v, bool dv) {
    if (v != dv) out << YAML::Key << k << YAML::Value << (v ? "true" : "false");
  };
  i("out_channels", a.out_channels, d.out_channels);
  i("kernel", a.kernel, d.kernel);
  i("stride", a.stride, d.stride);
  i("padding", a.padding, d.padding);
  i("dilation", a.dilation, d.dilation);
  i("groups", a.groups, d.groups);
  b("bias", a.bias, d.bias);
  f("eps", a.eps, d.eps);
  f("momentum", a.momentum, d.momentum);
  f("probability", a.probability, d.probability);
  f("label_smoothing", a.label_smoothing, d.label_smoothing);
  i("se_reduction", a.se_reduction, d.se_reduction);
  i("shuffle_groups", a.shuffle_groups, d.shuffle_groups);
  if (!a.split_sizes.empty()) {
    out << YAML::Key << "split_sizes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (int64_t s : a.split_sizes) out << s;
    out << YAML::EndSeq;
  }
  if (!a.shape.empty()) {
    out << YAML::Key << "shape" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (int64_t s : a.shape) out << s;
    out << YAML::EndSeq;
  }
  if (a.activation != d.activation)
    out << YAML::Key << "activation" << YAML::Value << kActivations[static_cast<int>(a.activation)];
  i("heads", a.heads, d.heads);
  i("window", a.window, d.window);
  b("causal", a.causal, d.causal);
  i("vocab", a.vocab, d.vocab);
  i("hidden", a.hidden, d.hidden);
}

}  // namespace

std::string write_architecture(const Architecture& arch) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << arch.name.value;
  out << YAML::Key << "input" << YAML::Value << YAML::Flow << YAML::BeginSeq << arch.height
      << arch.width << arch.channels << YAML::EndSeq;
  out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
  std::string previous = "input";
  for (const ArchitectureNode& n : arch.nodes) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << n.name.value;
    out << YAML::Key << "op" << YAML::Value << n.op.value;
    const bool chain = n.inputs.empty() || (n.inputs.size() == 1 && n.inputs[0].value == previous);
    if (!chain) {
      out << YAML::Key << "inputs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& in : n.inputs) out << in.value;
      out << YAML::EndSeq;
    }
    emit_attrs(out, n.attrs);
    out << YAML::EndMap;
    previous = n.name.value;
  }
  out << YAML::EndSeq;
  if (!arch.output.value.empty()) out << YAML::Key << "output" << YAML::Value << arch.output.value;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nas::config
