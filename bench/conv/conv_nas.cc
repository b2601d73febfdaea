// Times our conv2d on the cases given as arguments (see conv_case.h):
// forward, or forward + backward-data + backward-weights. The autotuner picks
// each pass's algorithm during the warm-up (memory only, no cache file, unless
// --cache PATH). Prints "CASE ms algo=FWD[,BWD_DATA,BWD_WEIGHTS]" per case.
#include <cstring>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/conv/conv_case.h"
#include "ops/conv/conv2d.h"
#include "ops/conv/conv_autotune.h"
#include "ops/core/parallel.h"
#include "ops/core/tensor.h"

int main(int argc, char** argv) {
  using namespace nas::ops;
  int threads = 2;
  std::string cache;
  std::vector<nas::bench::ConvCase> cases;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--cache") && i + 1 < argc) cache = argv[++i];
    else cases.push_back(nas::bench::parse_conv_case(argv[i]));
  }
  set_num_threads(threads);
  set_conv_autotune_path(cache);
  for (const auto& cc : cases) {
    ConvParams p;
    p.batch = cc.n; p.in_h = cc.h; p.in_w = cc.w; p.in_c = cc.c; p.out_c = cc.k;
    p.kernel_h = p.kernel_w = static_cast<int>(cc.r);
    p.stride = static_cast<int>(cc.s);
    p.pad = static_cast<int>(cc.r / 2);
    p.groups = static_cast<int>(cc.g);
    if (!validate_conv_params(p).is_ok()) {
      std::fprintf(stderr, "error: %s\n", validate_conv_params(p).message().c_str());
      return 2;
    }
    // 64-byte aligned like every Tensor (and like PyTorch's buffers): a
    // std::vector's 16-byte alignment would time split-line stores that
    // real networks never do.
    const int64_t nx = p.input_shape().numel(), nw = p.weight_numel(),
                  ny = p.output_shape().numel();
    const auto x = allocate_floats(nx), w = allocate_floats(nw), y = allocate_floats(ny),
               dy = allocate_floats(ny), dx = allocate_floats(nx), dw = allocate_floats(nw);
    nas::bench::fill_pattern({x.get(), static_cast<size_t>(nx)}, 1);
    nas::bench::fill_pattern({w.get(), static_cast<size_t>(nw)}, 2);
    nas::bench::fill_pattern({dy.get(), static_cast<size_t>(ny)}, 3);
    auto run = [&] {
      conv2d_forward(p, x.get(), w.get(), nullptr, y.get());
      if (cc.fwdbwd) {
        conv2d_backward_data(p, dy.get(), w.get(), dx.get());
        conv2d_backward_weights(p, x.get(), dy.get(), dw.get(), nullptr);
      }
    };
    nas::bench::TimingOptions opt;
    opt.samples = 7;
    const double ms = nas::bench::median_ms(run, opt);
    std::string algo = conv_algo_name(conv2d_resolved_algo(p, ConvPass::kForward));
    if (cc.fwdbwd) {
      algo += std::string(",") + conv_algo_name(conv2d_resolved_algo(p, ConvPass::kBackwardData));
      algo += std::string(",") + conv_algo_name(conv2d_resolved_algo(p, ConvPass::kBackwardWeights));
    }
    std::printf("%s:%ld:%s %.4f algo=%s\n", cc.name.c_str(), cc.n, cc.fwdbwd ? "fwdbwd" : "fwd", ms,
                algo.c_str());
    std::fflush(stdout);
  }
  return 0;
}
