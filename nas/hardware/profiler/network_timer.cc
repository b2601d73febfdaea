#include "nas/hardware/profiler/network_timer.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "nas/graph/network.h"
#include "nas/hardware/profiler/run_delay.h"
#include "nas/hardware/profiler/timing_clock.h"
#include "nas/train/rng.h"

namespace nas::hardware {
namespace {

using Clock = std::chrono::steady_clock;

struct Runner {
  std::unique_ptr<graph::Network> net;
  std::vector<ops::Tensor> inputs;
  int64_t bytes = 0;
};

Result<Runner> make_runner(const graph::NetworkSpec& spec, uint64_t seed) {
  auto net = graph::Network::create(spec, graph::ExecMode::kInference, seed);
  if (!net) return net.status();
  Runner r;
  r.net = net.take();
  train::Rng rng(seed);
  for (int id : spec.inputs()) {
    ops::Tensor t = ops::Tensor::empty(spec.node(id).output_shapes[0]);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data()[i] = 2.0f * static_cast<float>(rng.next_u64() >> 40) / 16777216.0f - 1.0f;
    r.inputs.push_back(t);
    r.bytes += t.numel() * 4;
  }
  const graph::MemoryReport m = r.net->memory_report();
  r.bytes += m.activation_bytes + m.param_bytes;
  return r;
}

}  // namespace

Result<std::vector<TimingStats>> time_networks(std::span<const graph::NetworkSpec> specs,
                                               const NetworkTimingOptions& options,
                                               const std::function<void(int64_t)>& progress,
                                               double* waiting_share, std::vector<int>* group_of) {
  NAS_CHECK(options.warmup >= 1 && options.repeats >= 1);
  const int sweeps = std::max(1, options.sweeps);
  const int repeats = (options.repeats + sweeps - 1) / sweeps;  // per sweep
  // Undisturbed passes (run_delay.h) and the others, per network.
  std::vector<std::vector<double>> samples(specs.size()), disturbed(specs.size());
  ops::OpContext ctx;
  ctx.training = false;
  const int64_t delay_before = thread_run_delay_ns();
  const auto wall_before = Clock::now();
  int64_t done = 0;
  if (group_of != nullptr) group_of->assign(specs.size(), 0);
  int group_index = 0;
  for (int sweep = 0; sweep < sweeps + options.retry_sweeps; ++sweep) {
    // The regular sweeps run every network; a retry sweep only those still
    // short of undisturbed passes.
    std::vector<size_t> this_sweep;
    for (size_t i = 0; i < specs.size(); ++i)
      if (sweep < sweeps || samples[i].size() < static_cast<size_t>(kMinUndisturbed)) this_sweep.push_back(i);
    if (this_sweep.empty()) break;
    const int warmup = sweep == 0 ? options.warmup : 1;
    size_t begin = 0;  // into this_sweep
    while (begin < this_sweep.size()) {
      std::vector<Runner> group;
      int64_t bytes = 0;
      size_t end = begin;
      while (end < this_sweep.size()) {
        auto r = make_runner(specs[this_sweep[end]], train::mix_seed(this_sweep[end], 7));
        if (!r) return Status::error("failed to create network " + std::to_string(this_sweep[end]) + ": " + r.status().message());
        if (!group.empty() && bytes + r.value().bytes > options.group_bytes) break;
        bytes += r.value().bytes;
        group.push_back(r.take());
        ++end;
      }
      if (group_of != nullptr && sweep == 0) {
        for (size_t k = begin; k < end; ++k) (*group_of)[this_sweep[k]] = group_index;
        ++group_index;
      }
      std::vector<int> clean_this_sweep(group.size(), 0);
      // One timed pass of network i of the group; kept apart when another
      // process took a CPU from one of our threads meanwhile.
      auto timed_pass = [&](size_t i) {
        Runner& r = group[i];
        for (int k = 0; k < options.settle; ++k) r.net->forward(r.inputs, ctx);
        const int64_t d0 = process_run_delay_ns();
        const double t0 = clock_now_ms(options.clock);
        r.net->forward(r.inputs, ctx);
        const double t1 = clock_now_ms(options.clock);
        const bool clean = undisturbed_pass(d0, process_run_delay_ns(), t1 - t0);
        (clean ? samples : disturbed)[this_sweep[begin + i]].push_back(t1 - t0);
        if (clean) ++clean_this_sweep[i];
      };
      for (int round = 0; round < warmup; ++round)
        for (Runner& r : group)
          for (int k = 0; k <= options.settle; ++k) r.net->forward(r.inputs, ctx);
      for (int round = 0; round < repeats; ++round)
        for (size_t i = 0; i < group.size(); ++i) timed_pass(i);
      // Extra rounds for the networks with too few undisturbed passes.
      for (int extra = 0; extra < options.extra_rounds * repeats; ++extra) {
        bool any = false;
        for (size_t i = 0; i < group.size(); ++i)
          if (clean_this_sweep[i] < repeats) {
            timed_pass(i);
            any = true;
          }
        if (!any) break;
      }
      done += static_cast<int64_t>(end - begin);
      begin = end;
      if (progress) progress(std::min<int64_t>(done, static_cast<int64_t>(specs.size()) * sweeps));
    }
  }
  std::vector<TimingStats> out(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const int clean = static_cast<int>(samples[i].size());
    if (clean < kMinUndisturbed) samples[i].insert(samples[i].end(), disturbed[i].begin(), disturbed[i].end());
    out[i] = summarize_timings(std::move(samples[i]));
    out[i].undisturbed = clean >= kMinUndisturbed ? clean : 0;
  }
  if (waiting_share != nullptr) {
    const int64_t delay_after = thread_run_delay_ns();
    const double wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - wall_before).count();
    *waiting_share = (delay_before < 0 || delay_after < 0 || wall_ns <= 0)
                         ? -1.0
                         : static_cast<double>(delay_after - delay_before) / wall_ns;
  }
  return out;
}

}  // namespace nas::hardware
