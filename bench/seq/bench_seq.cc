// Times the sequence ops on the shapes of ../shared/bench/shapes.yaml
// (sequence section) plus layer norm, forward and forward+backward, and
// measures the peak extra memory of plain vs tiled attention at n = 2048.
// Prints "name ms" lines (median of reps) for compare.sh, which puts PyTorch
// beside them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ops/core/op_registry.h"
#include "ops/core/parallel.h"
#include "ops/core/workspace.h"
#include "ops/seq/attention.h"

namespace {
using namespace nas::ops;

struct Bench {
  std::unique_ptr<Op> op;
  std::vector<Tensor> in, params, dparams, out, dy, dx;
};

void fill(const Tensor& t, float scale) {
  uint32_t s = 12345;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data()[i] = scale * (static_cast<float>(s >> 8) / 16777216.0f - 0.5f);
  }
}

Bench make(const std::string& name, const OpAttrs& a, const Shape& s) {
  Bench b;
  b.op = op_registry().create(name, a, std::vector<Shape>{s}).take();
  b.in.push_back(Tensor::empty(s));
  fill(b.in[0], 2.0f);
  for (const ParamSpec& p : b.op->param_specs()) {
    b.params.push_back(Tensor::empty(p.shape));
    fill(b.params.back(), p.name == "gamma" ? 0.0f : 0.1f);
    if (p.name == "gamma") b.params.back().fill(1.0f);
    b.dparams.push_back(Tensor::empty(p.shape));
  }
  b.out.push_back(Tensor::empty(b.op->output_shapes()[0]));
  b.dy.push_back(Tensor::empty(b.op->output_shapes()[0]));
  fill(b.dy[0], 1.0f);
  b.dx.push_back(Tensor::empty(s));
  return b;
}

double time_ms(Bench& b, bool backward, int reps) {
  OpContext ctx;
  std::vector<double> t;
  for (int r = 0; r < reps + 2; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    b.op->forward(ctx, b.in, b.params, b.out);
    if (backward) b.op->backward(ctx, b.in, b.params, b.out, b.dy, b.dx, b.dparams);
    auto t1 = std::chrono::steady_clock::now();
    if (r >= 2) t.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Bytes the op keeps (state_bytes) plus the scratch peak of one fresh
// thread running forward + backward with one worker.
int64_t attention_peak_bytes(const std::string& name, int64_t n) {
  OpAttrs a;
  a.heads = 8;
  a.bias = true;
  Bench b = make(name, a, Shape{1, n, 256});
  const int threads = num_threads();
  set_num_threads(1);
  int64_t scratch = 0;
  std::thread t([&] {
    OpContext ctx;
    b.op->forward(ctx, b.in, b.params, b.out);
    b.op->backward(ctx, b.in, b.params, b.out, b.dy, b.dx, b.dparams);
    scratch = thread_scratch().peak_bytes();
  });
  t.join();
  set_num_threads(threads);
  return static_cast<MultiHeadAttention*>(b.op.get())->state_bytes() + scratch;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  auto want = [&](const char* n) { return only.empty() || only == n; };
  auto report = [](const std::string& name, double ms) {
    std::printf("%s %.4f\n", name.c_str(), ms);
    std::fflush(stdout);
  };
  for (const char* kind : {"attention", "attention_tiled"}) {
    for (int64_t s : {128, 512}) {
      if (!want(kind)) continue;
      OpAttrs a;
      a.heads = 8;
      a.bias = true;
      Bench b = make(kind, a, Shape{8, s, 256});
      const std::string base = std::string(kind) + "_s" + std::to_string(s);
      report(base + "_fwd", time_ms(b, false, s == 128 ? 15 : 7));
      report(base + "_fwdbwd", time_ms(b, true, s == 128 ? 15 : 7));
    }
  }
  for (const char* kind : {"lstm", "gru"}) {
    if (!want(kind)) continue;
    OpAttrs a;
    a.hidden = 256;
    Bench b = make(kind, a, Shape{32, 100, 256});
    report(std::string(kind) + "_fwd", time_ms(b, false, 7));
    report(std::string(kind) + "_fwdbwd", time_ms(b, true, 7));
  }
  if (want("layer_norm")) {
    OpAttrs a;
    Bench b = make("layer_norm", a, Shape{32, 512, 768});
    report("layer_norm_fwd", time_ms(b, false, 15));
    report("layer_norm_fwdbwd", time_ms(b, true, 15));
  }
  if (want("memory")) {
    const int64_t plain = attention_peak_bytes("attention", 2048);
    const int64_t tiled = attention_peak_bytes("attention_tiled", 2048);
    std::printf("mem_plain_n2048_bytes %lld\nmem_tiled_n2048_bytes %lld\n",
                static_cast<long long>(plain), static_cast<long long>(tiled));
  }
  return 0;
}
