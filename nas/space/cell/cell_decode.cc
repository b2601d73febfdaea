// CellSpace::decode: cells expanded into registry ops and stacked into the
// paper's network (NAS-Bench-201's residual stages or DARTS's NetworkCIFAR).
#include <utility>

#include "nas/space/cell/cell_space.h"

namespace nas::space::cell {
namespace {

// Appends nodes to an architecture; each returns the node's name, which
// later nodes read.
class Emitter {
 public:
  explicit Emitter(config::Architecture& arch) : arch_(arch) {}

  std::string add(const std::string& name, const std::string& op, const ops::OpAttrs& attrs,
                  std::vector<std::string> inputs) {
    config::ArchitectureNode n;
    n.name.value = name;
    n.op.value = op;
    n.attrs = attrs;
    for (std::string& in : inputs) n.inputs.push_back({std::move(in), {}});
    arch_.nodes.push_back(std::move(n));
    return name;
  }

  // relu -> conv(kernel, stride, out) -> batch_norm: the papers' ReLUConvBN.
  std::string relu_conv_bn(const std::string& p, const std::string& in, int kernel, int stride,
                           int64_t out) {
    ops::OpAttrs conv;
    conv.kernel = kernel;
    conv.stride = stride;
    conv.out_channels = out;
    const std::string r = add(p + ".relu", "relu", {}, {in});
    const std::string c = add(p + ".conv", "conv2d", conv, {r});
    return add(p + ".bn", "batch_norm", {}, {c});
  }

  // A candidate op on an edge; the identity emits nothing.
  std::string apply(const Composite& op, const std::string& in, int stride, const std::string& p) {
    std::string x = in;
    const std::vector<Step>& steps = op.steps_for(stride);
    for (size_t s = 0; s < steps.size(); ++s) {
      ops::OpAttrs a = steps[s].attrs;
      if (steps[s].edge_stride) a.stride = stride;
      x = add(p + "." + std::to_string(s) + "_" + steps[s].op, steps[s].op, a, {x});
    }
    return x;
  }

  // Sum of terms by a chain of adds; a single term is itself.
  std::string sum(const std::vector<std::string>& terms, const std::string& p) {
    std::string x = terms[0];
    for (size_t t = 1; t < terms.size(); ++t)
      x = add(p + ".add" + std::to_string(t), "add", {}, {x, terms[t]});
    return x;
  }

  std::string head(const std::string& in, int classes) {
    const std::string pool = add("head.pool", "global_avg_pool", {}, {in});
    ops::OpAttrs fc;
    fc.out_channels = classes;
    fc.bias = true;
    return add("head.fc", "linear", fc, {pool});
  }

 private:
  config::Architecture& arch_;
};

}  // namespace

Result<config::Architecture> CellSpace::decode(const Genotype& g) const {
  if (!valid(g)) return Status::error("decode: the genotype does not fit space '" + name() + "'");
  config::Architecture arch;
  arch.source = name();
  arch.name.value = name();
  arch.height = config_.height;
  arch.width = config_.width;
  arch.channels = config_.channels;
  Emitter em(arch);
  const int n = config_.nodes;

  if (config_.topology == Topology::kAllPairs) {
    // Which nodes reach the output through non-zero edges: the rest are dead.
    auto edge = [](int j, int i) { return j * (j - 1) / 2 + i; };
    std::vector<bool> live(n, false);
    live[n - 1] = true;
    for (int j = n - 2; j >= 0; --j)
      for (int k = j + 1; k < n; ++k)
        if (live[k] && !config_.ops[g[edge(k, j)]].is_zero()) live[j] = true;
    auto cell = [&](const std::string& x, const std::string& p) {
      std::vector<std::string> node(n);
      node[0] = x;
      for (int j = 1; j < n; ++j) {
        if (!live[j]) continue;
        std::vector<std::string> terms;
        for (int i = 0; i < j; ++i) {
          const Composite& op = config_.ops[g[edge(j, i)]];
          if (op.is_zero()) continue;
          terms.push_back(em.apply(op, node[i], 1,
                                   p + ".e" + std::to_string(j) + "_" + std::to_string(i)));
        }
        node[j] = terms.empty() ? em.add(p + ".n" + std::to_string(j) + ".zero", "zero", {}, {x})
                                : em.sum(terms, p + ".n" + std::to_string(j));
      }
      return node[n - 1];
    };
    int64_t c = config_.init_channels;
    ops::OpAttrs stem;
    stem.kernel = 3;
    stem.out_channels = c;
    std::string x = em.add("stem.bn", "batch_norm", {}, {em.add("stem.conv", "conv2d", stem, {"input"})});
    for (int s = 0; s < config_.stages; ++s) {
      if (s > 0) {  // NAS-Bench-201's ResNetBasicblock(c, 2c, stride 2)
        c *= 2;
        const std::string p = std::string("reduce").append(std::to_string(s));
        const std::string a = em.relu_conv_bn(p + ".a", x, 3, 2, c);
        const std::string b = em.relu_conv_bn(p + ".b", a, 3, 1, c);
        ops::OpAttrs pool;
        pool.kernel = 2;
        pool.stride = 2;
        pool.padding = 0;
        ops::OpAttrs proj;
        proj.out_channels = c;
        const std::string down = em.add(p + ".down.conv", "conv2d", proj,
                                        {em.add(p + ".down.pool", "avg_pool", pool, {x})});
        x = em.add(p + ".add", "add", {}, {b, down});
      }
      for (int k = 0; k < config_.cells_per_stage; ++k)
        x = cell(x, std::string("s").append(std::to_string(s)).append("c").append(std::to_string(k)));
    }
    x = em.add("head.relu", "relu", {}, {em.add("head.bn", "batch_norm", {}, {x})});
    arch.output.value = em.head(x, config_.classes);
    return arch;
  }

  // DARTS NetworkCIFAR (without the auxiliary head and drop path).
  const int k = config_.inputs_per_node;
  int64_t c = config_.init_channels;
  ops::OpAttrs stem;
  stem.kernel = 3;
  stem.out_channels = c * config_.stem_multiplier;
  const std::string stem_out =
      em.add("stem.bn", "batch_norm", {}, {em.add("stem.conv", "conv2d", stem, {"input"})});
  std::string s0 = stem_out, s1 = stem_out;
  bool reduction_prev = false;
  for (int i = 0; i < config_.cells; ++i) {
    const bool reduction = i == config_.cells / 3 || i == 2 * config_.cells / 3;
    if (reduction) c *= 2;
    const int t = reduction ? 1 : 0;
    const std::string p = std::string("c").append(std::to_string(i));
    // DARTS's FactorizedReduce halves the previous-previous output; here it
    // is one strided 1x1 ReLUConvBN (docs/spaces.md: no shift op).
    std::vector<std::string> states = {em.relu_conv_bn(p + ".pre0", s0, 1, reduction_prev ? 2 : 1, c),
                                       em.relu_conv_bn(p + ".pre1", s1, 1, 1, c)};
    for (int m = 0; m < n; ++m) {
      const int at = node_offset(t, m);
      const std::vector<int>& in = chosen_inputs(m, g[at]);
      const std::string np = p + ".n" + std::to_string(m + 2);
      std::vector<std::string> terms;
      for (int q = 0; q < k; ++q) {
        const Composite& op = config_.ops[g[at + 1 + q]];
        const int stride = reduction && in[q] < 2 ? 2 : 1;
        if (op.is_zero()) continue;
        terms.push_back(em.apply(op, states[in[q]], stride, np + ".e" + std::to_string(in[q])));
      }
      if (terms.empty()) {
        ops::OpAttrs z;
        z.stride = reduction && in[0] < 2 ? 2 : 1;
        terms.push_back(em.add(np + ".zero", "zero", z, {states[in[0]]}));
      }
      states.push_back(em.sum(terms, np));
    }
    s0 = s1;
    s1 = em.add(p + ".concat", "concat", {}, std::vector<std::string>(states.begin() + 2, states.end()));
    reduction_prev = reduction;
  }
  arch.output.value = em.head(s1, config_.classes);
  return arch;
}

}  // namespace nas::space::cell
