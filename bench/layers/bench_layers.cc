// Times the layer ops on the memory_bound shapes of ../shared/bench/shapes.yaml
// (relu and batch norm at NCHW [64,64,56,56], here NHWC [64,56,56,64]) plus
// the other memory-bound CNN ops at that shape, forward and forward+backward,
// 2 threads. Prints "name ms" lines (median of reps) for compare.sh, which
// puts PyTorch (channels_last) beside them, and "name_gbps x" lines: the
// forward's io_cost bytes over its time, against the ~33-51 GB/s 2-thread
// triad of anchors.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "ops/core/op_registry.h"
#include "ops/core/parallel.h"

namespace {
using namespace nas::ops;

void fill(const Tensor& t, float scale, uint32_t seed) {
  uint32_t s = seed;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data()[i] = scale * (static_cast<float>(s >> 8) / 16777216.0f - 0.5f);
  }
}

void run(const std::string& label, const std::string& op_name, const std::vector<Shape>& shapes,
         const OpAttrs& attrs, bool training = true) {
  auto created = op_registry().create(op_name, attrs, shapes);
  if (!created.is_ok()) {
    std::fprintf(stderr, "%s\n", created.status().message().c_str());
    std::exit(1);
  }
  std::unique_ptr<Op> op = created.take();
  std::vector<Tensor> x, dx, p, dp, y, dy;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    x.push_back(Tensor::empty(shapes[i]));
    fill(x.back(), 4.0f, 7 + i);
    dx.push_back(Tensor::empty(shapes[i]));
  }
  for (const ParamSpec& s : op->param_specs()) {
    p.push_back(Tensor::empty(s.shape));
    fill(p.back(), 1.0f, 3);
    dp.push_back(Tensor::empty(s.shape));
  }
  for (const Shape& s : op->output_shapes()) {
    y.push_back(Tensor::empty(s));
    dy.push_back(Tensor::empty(s));
    fill(dy.back(), 1.0f, 5);
  }
  OpContext ctx;
  ctx.training = training;
  const double fwd = nas::bench::median_ms([&] { op->forward(ctx, x, p, y); });
  const double fwdbwd = nas::bench::median_ms([&] {
    op->forward(ctx, x, p, y);
    op->backward(ctx, x, p, y, dy, dx, dp);
  });
  const OpCost c = op->cost();
  std::printf("%s_fwd %.4f\n%s_fwdbwd %.4f\n%s_gbps %.1f\n", label.c_str(), fwd, label.c_str(),
              fwdbwd, label.c_str(), (c.bytes_read + c.bytes_written) / fwd / 1e6);
}

}  // namespace

int main() {
  set_num_threads(2);
  const Shape big{64, 56, 56, 64};
  const OpAttrs none;
  run("relu", "relu", {big}, none);
  run("batch_norm_train", "batch_norm", {big}, none, true);
  run("batch_norm_eval", "batch_norm", {big}, none, false);
  run("sigmoid", "sigmoid", {big}, none);
  run("hswish", "hswish", {big}, none);
  run("gelu", "gelu", {big}, none);
  run("add", "add", {big, big}, none);
  OpAttrs pool;
  pool.kernel = 3;
  pool.stride = 2;
  pool.padding = 1;
  run("max_pool_3x3_s2", "max_pool", {big}, pool);
  run("avg_pool_3x3_s2", "avg_pool", {big}, pool);
  run("global_avg_pool", "global_avg_pool", {big}, none);
  OpAttrs drop;
  drop.probability = 0.2f;
  run("dropout", "dropout", {big}, drop);
  OpAttrs lin;
  lin.out_channels = 1024;
  lin.bias = true;
  run("linear_64x1024x1024", "linear", {Shape{64, 1024}}, lin);
  return 0;
}
