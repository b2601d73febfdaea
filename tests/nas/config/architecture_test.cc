#include "nas/config/architecture.h"

#include <gtest/gtest.h>

#include "nas/config/architecture_writer.h"
#include "nas/graph/architecture_builder.h"

#include <cstdio>
#include "ops/core/op_registry.h"

namespace nas::config {
namespace {

const std::string kDir = "tests/nas/config/architectures/";

TEST(Architecture, ReferenceCnnLoadsAndBuilds) {
  Diagnostics d;
  auto arch = load_architecture("experiments/architectures/reference_cnn.yaml",
                                ops::op_registry().names(), d);
  ASSERT_TRUE(arch) << d.str();
  EXPECT_EQ(arch->name.value, "reference_cnn");
  EXPECT_EQ(arch->nodes.size(), 11u);
  EXPECT_EQ(arch->nodes[3].attrs.stride, 2);
  EXPECT_TRUE(arch->nodes[10].attrs.bias);
  EXPECT_EQ(arch->output.value, "fc");
  auto spec = graph::build_network_spec(*arch, 4);
  ASSERT_TRUE(spec) << spec.status().message();
  EXPECT_EQ(spec->shape(spec->outputs()[0]), ops::Shape({4, 10}));
  // The PyTorch model of this network has 94,186 parameters.
  EXPECT_EQ(spec->param_count(), 94186);
}

TEST(Architecture, WriterRoundTrips) {
  Diagnostics d;
  auto arch = load_architecture("experiments/architectures/reference_cnn.yaml",
                                ops::op_registry().names(), d);
  ASSERT_TRUE(arch) << d.str();
  arch->nodes[4].inputs = {{"conv2", {}}};  // a chain reference: left out
  arch->nodes[9].attrs.split_sizes = {1, 2};
  const std::string text = write_architecture(*arch);
  EXPECT_NE(text.find("{name: conv2, op: conv2d, out_channels: 64, kernel: 3, stride: 2}"),
            std::string::npos) << text;
  const std::string path = ::testing::TempDir() + "/written.yaml";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  auto back = load_architecture(path, ops::op_registry().names(), d);
  ASSERT_TRUE(back) << d.str() << "\n" << text;
  EXPECT_EQ(write_architecture(*back), text);
  EXPECT_EQ(back->nodes[9].attrs.split_sizes, (std::vector<int64_t>{1, 2}));
}

TEST(Architecture, EveryProblemReportedWithLocation) {
  Diagnostics d;
  auto arch = load_architecture(kDir + "bad_many.yaml", ops::op_registry().names(), d);
  ASSERT_FALSE(arch);
  const std::string f = kDir + "bad_many.yaml:";
  const std::string text = d.str();
  for (const std::string& expected : {
           f + "2:8: error: input: expected [height, width, channels], got a list of 2",
           f + "4:20: error: nodes[0].op: unknown op 'conv2dd' (did you mean 'conv2d'?",
           f + "5:12: error: nodes[1].name: duplicate node name 'c1'",
           f + "5:35: error: nodes[1].inputs[0]: unknown earlier node 'nowhere'",
           f + "6:36: error: unknown key 'kernal' in nodes[2] (did you mean 'kernel'?)",
           f + "7:42: error: nodes[3].out_channels: expected an integer >= 1, got 0",
           f + "7:51: error: nodes[3].bias: expected true or false, got 'maybe'",
           f + "8:9: error: output: no node named 'missing'"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << text;
  }
  EXPECT_EQ(d.size(), 8u) << text;
}

TEST(Architecture, ShapeErrorPointsAtTheNode) {
  Diagnostics d;
  auto arch = load_architecture(kDir + "shape_error.yaml", ops::op_registry().names(), d);
  ASSERT_TRUE(arch) << d.str();
  auto spec = graph::build_network_spec(*arch, 2);
  ASSERT_FALSE(spec);
  const std::string m = spec.status().message();
  EXPECT_EQ(m.rfind(kDir + "shape_error.yaml:6:5: error: failed to add node 'sum' (add) with inputs "
                           "input [2,8,8,1], c2 [2,8,8,4]", 0), 0u) << m;
}

TEST(Architecture, MissingAndEmptyFiles) {
  Diagnostics d;
  EXPECT_FALSE(load_architecture(kDir + "none.yaml", {}, d));
  EXPECT_EQ(d.str(), kDir + "none.yaml: error: cannot read architecture file");
}

}  // namespace
}  // namespace nas::config
