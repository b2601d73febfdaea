// The oneDNN peer: convolution_forward (forward_training, convolution_auto)
// with format_tag::any for every tensor, so oneDNN picks its own blocked
// layout and kernel; reorders into that layout are done once, outside the
// timing. Prints "CASE ms impl=NAME" per forward case (fwdbwd cases are
// skipped: the peer for those is PyTorch).
#include <omp.h>

#include <cstring>
#include <dnnl.hpp>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/conv/conv_case.h"

int main(int argc, char** argv) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  int threads = 2;
  std::vector<nas::bench::ConvCase> cases;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else cases.push_back(nas::bench::parse_conv_case(argv[i]));
  }
  omp_set_num_threads(threads);
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  for (const auto& cc : cases) {
    if (cc.fwdbwd) continue;
    const long pad = cc.r / 2;
    memory::dims src{cc.n, cc.c, cc.h, cc.w}, dst{cc.n, cc.k, cc.out_h(), cc.out_w()};
    memory::dims wei = cc.g == 1 ? memory::dims{cc.k, cc.c, cc.r, cc.r}
                                 : memory::dims{cc.g, cc.k / cc.g, cc.c / cc.g, cc.r, cc.r};
    memory::desc src_md(src, dt::f32, tag::any), dst_md(dst, dt::f32, tag::any),
        wei_md(wei, dt::f32, tag::any);
    convolution_forward::desc d(prop_kind::forward_training, algorithm::convolution_auto, src_md,
                                wei_md, dst_md, {cc.s, cc.s}, {pad, pad}, {pad, pad});
    convolution_forward::primitive_desc pd(d, eng);
    memory src_m(pd.src_desc(), eng), wei_m(pd.weights_desc(), eng), dst_m(pd.dst_desc(), eng);
    // Fill in the blocked layouts directly: values do not change the timing.
    for (memory* m : {&src_m, &wei_m}) {
      std::vector<float> v(m->get_desc().get_size() / sizeof(float));
      nas::bench::fill_pattern(v, 1);
      std::memcpy(m->get_data_handle(), v.data(), v.size() * sizeof(float));
    }
    convolution_forward conv(pd);
    auto run = [&] {
      conv.execute(strm, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DST, dst_m}});
      strm.wait();
    };
    nas::bench::TimingOptions opt;
    opt.samples = 7;
    const double ms = nas::bench::median_ms(run, opt);
    std::string impl = pd.impl_info_str();
    for (char& ch : impl)
      if (ch == ' ') ch = '_';
    std::printf("%s:%ld:fwd %.4f impl=%s\n", cc.name.c_str(), cc.n, ms, impl.c_str());
    std::fflush(stdout);
  }
  return 0;
}
