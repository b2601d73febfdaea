// Checks shared by the macro and sequence space tests: load a shipped space,
// decode random genotypes, build them, compare MACs with the ops' own costs,
// run a forward pass.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>

#include "nas/config/architecture_writer.h"
#include "nas/graph/architecture_builder.h"
#include "nas/graph/network.h"
#include "nas/space/genotype_ops.h"
#include "nas/space/space_loader.h"
#include "nas/train/rng.h"
#include "ops/core/op_registry.h"
#include "tests/nas/config/test_paths.h"

namespace nas::space::testing {

inline std::unique_ptr<Space> load_shipped(const std::string& name) {
  config::testing::enter_repo_root();
  config::Diagnostics diags;
  auto space = load_space("search_spaces/" + name + ".yaml", diags);
  EXPECT_TRUE(space) << diags.str();
  return space;
}

// The sum of MACs of every op created alone from its node's attrs and input
// shapes: what the network's total must equal.
inline int64_t summed_op_macs(const graph::NetworkSpec& spec) {
  int64_t macs = 0;
  for (int i = 0; i < spec.size(); ++i) {
    const graph::NodeSpec& n = spec.node(i);
    if (n.is_input()) continue;
    auto op = ops::op_registry().create(n.op, n.attrs, n.input_shapes);
    EXPECT_TRUE(op.is_ok()) << n.name << ": " << op.status().message();
    if (op.is_ok()) macs += op.value()->cost().macs;
  }
  return macs;
}

// Decodes `count` random genotypes (seeded) and checks each builds on the
// space's input shape with logits [batch, classes] and MACs equal to the
// ops' own costs; also parse(canonical_string(g)) == g and that
// canonicalize(g) decodes to the same architecture as g.
inline void check_random_genotypes(const Space& space, int count, int64_t classes, uint64_t seed) {
  train::Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const Genotype g = sample_uniform(space, rng);
    const std::string text = space.canonical_string(g);
    auto arch = space.decode(g);
    ASSERT_TRUE(arch.is_ok()) << text << ": " << arch.status().message();
    auto spec = graph::build_network_spec(arch.value(), 2);
    ASSERT_TRUE(spec.is_ok()) << text << ": " << spec.status().message();
    const auto& in = spec.value().shape(graph::TensorRef{0, 0});
    EXPECT_EQ(in, (ops::Shape{2, arch.value().height, arch.value().width, arch.value().channels}));
    const auto out = spec.value().shape(spec.value().outputs()[0]);
    EXPECT_EQ(out, (ops::Shape{2, classes})) << text;
    EXPECT_EQ(spec.value().total_cost().macs, summed_op_macs(spec.value())) << text;
    EXPECT_GT(spec.value().total_cost().macs, 0) << text;

    auto back = space.parse(text);
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(back.value(), g) << text;

    const Genotype c = space.canonicalize(g);
    EXPECT_EQ(space.canonicalize(c), c) << text;
    auto arch_c = space.decode(c);
    ASSERT_TRUE(arch_c.is_ok());
    EXPECT_EQ(config::write_architecture(arch_c.value()), config::write_architecture(arch.value()))
        << text << " vs its canonical form " << space.canonical_string(c);
  }
}

// The architecture of g, written as an architecture file and read back by
// load_architecture (what `nas train` does), builds to the same MACs and
// parameter count as the decoded one.
inline void check_architecture_file(const Space& space, const Genotype& g) {
  auto arch = space.decode(g);
  ASSERT_TRUE(arch.is_ok()) << arch.status().message();
  const std::string path = ::testing::TempDir() + "/" + space.name() + "_arch.yaml";
  std::ofstream(path) << config::write_architecture(arch.value());
  config::Diagnostics diags;
  auto back = config::load_architecture(path, ops::op_registry().names(), diags);
  ASSERT_TRUE(back.has_value()) << diags.str();
  auto a = graph::build_network_spec(arch.value(), 1);
  auto b = graph::build_network_spec(*back, 1);
  ASSERT_TRUE(a.is_ok() && b.is_ok()) << b.status().message();
  EXPECT_EQ(a.value().total_cost().macs, b.value().total_cost().macs) << space.canonical_string(g);
  EXPECT_EQ(a.value().param_count(), b.value().param_count()) << space.canonical_string(g);
  EXPECT_EQ(a.value().size(), b.value().size());
}

// Builds g for `batch`, runs one inference forward on seeded inputs and
// checks the logits are finite and of shape [batch, classes].
inline void check_forward(const Space& space, const Genotype& g, int64_t batch, int64_t classes) {
  auto arch = space.decode(g);
  ASSERT_TRUE(arch.is_ok()) << arch.status().message();
  auto spec = graph::build_network_spec(arch.value(), batch);
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  auto net = graph::Network::create(spec.value(), graph::ExecMode::kInference, 1);
  ASSERT_TRUE(net.is_ok()) << net.status().message();
  const ops::Tensor x = ops::Tensor::empty(spec.value().shape(graph::TensorRef{0, 0}));
  train::Rng rng(3);
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data()[i] = static_cast<float>(rng.uniform_int(1000)) / 1000.0f;
  ops::OpContext ctx;
  ctx.training = false;
  const auto outs = net.value()->forward(std::span<const ops::Tensor>(&x, 1), ctx);
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].shape(), (ops::Shape{batch, classes})) << space.canonical_string(g);
  for (int64_t i = 0; i < outs[0].numel(); ++i)
    ASSERT_TRUE(std::isfinite(outs[0].data()[i])) << space.canonical_string(g);
}

}  // namespace nas::space::testing
