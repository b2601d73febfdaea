// Decoded cell networks build on their input shape, cost what their ops
// cost, and run forward.
#include <gtest/gtest.h>

#include <vector>

#include <filesystem>
#include <fstream>

#include "nas/config/architecture_writer.h"
#include "nas/graph/network.h"
#include "nas/space/genotype_ops.h"
#include "tests/nas/space/cell/cell_test_util.h"

namespace nas::space::cell {
namespace {

// Builds g at `batch`, checks the logits shape and that the spec's MACs are
// the sum of its ops' own costs (each op created afresh from the registry).
graph::NetworkSpec build_checked(const Space& space, const Genotype& g, int64_t batch,
                                 int classes) {
  auto arch = space.decode(g);
  EXPECT_TRUE(arch.is_ok()) << arch.status().message();
  if (!arch.is_ok()) return {};
  auto spec = graph::build_network_spec(arch.take(), batch);
  EXPECT_TRUE(spec.is_ok()) << space.canonical_string(g) << ": " << spec.status().message();
  if (!spec.is_ok()) return {};
  graph::NetworkSpec s = spec.take();
  EXPECT_EQ(s.shape(s.outputs()[0]), (ops::Shape{batch, classes}));
  int64_t macs = 0;
  for (int i = 0; i < s.size(); ++i) {
    const graph::NodeSpec& n = s.node(i);
    if (n.is_input()) continue;
    auto op = ops::op_registry().create(n.op, n.attrs, n.input_shapes);
    EXPECT_TRUE(op.is_ok());
    if (op.is_ok()) macs += op.take()->cost().macs;
  }
  EXPECT_EQ(s.total_cost().macs, macs);
  EXPECT_GT(macs, 0);
  return s;
}

void run_forward(const graph::NetworkSpec& spec, const CellConfig& c) {
  auto net = graph::Network::create(spec, graph::ExecMode::kInference, 1);
  ASSERT_TRUE(net.is_ok()) << net.status().message();
  const ops::Shape in = spec.node(spec.inputs()[0]).output_shapes[0];
  EXPECT_EQ(in, (ops::Shape{in[0], c.height, c.width, c.channels}));
  ops::Tensor x = ops::Tensor::empty(in);
  for (int64_t i = 0; i < in.numel(); ++i) x.data()[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
  ops::OpContext ctx;
  ctx.training = false;
  const ops::Tensor y = net.take()->forward(std::vector<ops::Tensor>{x}, ctx)[0];
  ASSERT_EQ(y.shape(), (ops::Shape{in[0], c.classes}));
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_TRUE(std::isfinite(y.data()[i]));
}

TEST(CellDecode, NasBench201GenotypesBuildCostTheirOpsAndRun) {
  const CellConfig c = testing::load_config("nas_bench_201.yaml");
  CellSpace space(c);
  train::Rng rng(11);
  for (int i = 0; i < 200; ++i) {
    const Genotype g = sample_uniform(space, rng);
    const graph::NetworkSpec s = build_checked(space, g, 2, c.classes);
    if (i < 3) run_forward(s, c);
    if (::testing::Test::HasFailure()) return;
  }
  // The paper's macro network with identity cells: only stem, the two
  // residual blocks and the head have MACs; conv cells add more.
  const auto skip = build_checked(space, space.parse("|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|").take(), 1, 10);
  const auto conv = build_checked(space, space.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|").take(), 1, 10);
  // Each of the 15 cells adds one 3x3 conv at C channels on an S x S map.
  int64_t extra = 0;
  for (int64_t stage = 0, ch = 16, side = 32; stage < 3; ++stage, ch *= 2, side /= 2)
    extra += 5 * side * side * ch * ch * 9;
  EXPECT_EQ(conv.total_cost().macs - skip.total_cost().macs, extra);
  // All-none cells still build: the output node is a zero op.
  build_checked(space, Genotype(6, 0), 1, 10);
}

// The largest NAS-Bench-201 network (every edge nor_conv_3x3), counted by
// hand from the paper's macro network: params 1,531,546 (convs without bias,
// BN gamma+beta, linear with bias); conv + linear MACs 220,119,680 (15 cells
// of six 3x3 convs at 16/32/64 channels on 32/16/8 maps, stem, two residual
// blocks, classifier).
TEST(CellDecode, NasBench201LargestCellMatchesTheHandCount) {
  CellSpace space(testing::load_config("nas_bench_201.yaml"));
  const auto s = build_checked(space, Genotype(6, 3), 1, 10);
  EXPECT_EQ(s.param_count(), 1531546);
  int64_t macs = 0;
  for (int i = 0; i < s.size(); ++i)
    if (s.node(i).op == "conv2d" || s.node(i).op == "linear") macs += s.node(i).cost.macs;
  EXPECT_EQ(macs, 220119680);
}

// Decoded cells are plain architecture files: written and read back (as
// `nas train ARCH.yaml` reads them) they build the same network.
TEST(CellDecode, DecodedArchitecturesRoundTripThroughArchitectureFiles) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "nas_cell_decode_test";
  std::filesystem::create_directories(dir);
  for (const char* file : {"nas_bench_201.yaml", "darts.yaml"}) {
    auto space = testing::load_shipped(file);
    ASSERT_TRUE(space);
    train::Rng rng(3);
    const Genotype g = sample_uniform(*space, rng);
    const config::Architecture arch = space->decode(g).take();
    const std::string path = (dir / (std::string("arch_") + file)).string();
    std::ofstream(path) << config::write_architecture(arch);
    config::Diagnostics diags;
    auto back = config::load_architecture(path, ops::op_registry().names(), diags);
    ASSERT_TRUE(back.has_value()) << diags.str();
    auto a = graph::build_network_spec(arch, 1);
    auto b = graph::build_network_spec(*back, 1);
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    EXPECT_EQ(a.take().total_cost().macs, b.take().total_cost().macs);
    EXPECT_EQ(back->nodes.size(), arch.nodes.size());
  }
  std::filesystem::remove_all(dir);
}

// The input key: the shipped files with a Fashion-MNIST input, as a user
// would write it, load and decode to a network on [N, 28, 28, 1].
TEST(CellDecode, InputKeySetsTheNetworkInputShape) {
  config::testing::enter_repo_root();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "nas_cell_input_test";
  std::filesystem::create_directories(dir);
  for (const char* file : {"nas_bench_201.yaml", "darts.yaml"}) {
    std::ifstream in(std::string("search_spaces/") + file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string from = "input: {height: 32, width: 32, channels: 3}";
    ASSERT_NE(text.find(from), std::string::npos) << file;
    text.replace(text.find(from), from.size(), "input: {height: 28, width: 28, channels: 1}");
    const std::string path = (dir / file).string();
    std::ofstream(path) << text;
    config::Diagnostics diags;
    auto space = load_space(path, diags);
    ASSERT_TRUE(space) << diags.str();
    const auto arch = space->decode(Genotype(space->decisions().size(), 0)).take();
    EXPECT_EQ(arch.height, 28);
    EXPECT_EQ(arch.channels, 1);
    auto spec = graph::build_network_spec(arch, 1);
    ASSERT_TRUE(spec.is_ok()) << spec.status().message();
    const graph::NetworkSpec s = spec.take();
    EXPECT_EQ(s.node(s.inputs()[0]).output_shapes[0], (ops::Shape{1, 28, 28, 1}));
  }
  std::filesystem::remove_all(dir);
}

TEST(CellDecode, NasBench201RunsOnFashionMnistShapes) {
  CellConfig c = testing::load_config("nas_bench_201.yaml");
  c.height = c.width = 28;
  c.channels = 1;
  CellSpace space(c);
  run_forward(build_checked(space, space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|").take(), 2, 10), c);
}

TEST(CellDecode, DartsGenotypesBuildCostTheirOpsAndRun) {
  const CellConfig full = testing::load_config("darts.yaml");
  CellSpace space(full);
  train::Rng rng(5);
  for (int i = 0; i < 200; ++i) {
    build_checked(space, sample_uniform(space, rng), 2, full.classes);
    if (::testing::Test::HasFailure()) return;
  }
  // Forward runs on the small variant for quick runs, on both input shapes.
  CellConfig small = full;
  small.cells = 5;
  small.init_channels = 8;
  for (int mnist = 0; mnist < 2; ++mnist) {
    if (mnist) {
      small.height = small.width = 28;
      small.channels = 1;
    }
    CellSpace s(small);
    for (int i = 0; i < 2; ++i) run_forward(build_checked(s, sample_uniform(s, rng), 2, 10), small);
  }
}

}  // namespace
}  // namespace nas::space::cell
