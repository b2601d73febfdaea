// bench_train_nas: training throughput of the project's own trainer.
//
//   bench_train_nas [--threads T] [--batch B] [--warmup W] [--steps S]
//                   [--runs R] [--profile] ARCH.yaml...
//
// For each architecture file: builds a Trainer (softmax cross-entropy,
// SGD momentum 0.9, lr 0.05, no weight decay: the settings of the PyTorch
// peer, bench/train/torch_train.py) over a synthetic 10-class dataset of
// the architecture's input shape, runs W warm-up steps, then R runs of S
// steps each through Trainer::fit, timed by the wall clock around fit (so
// batch loading, loss and accuracy bookkeeping count, as in real training).
// Prints one line per architecture:
//   train network=NAME params=P batch=B threads=T steps=S ms_per_step=M img_s=I
//         runs_img_s=a,b,c cpu_ms_per_step=C
// where I is the median run and C the median over runs of the process CPU
// time per step (all threads; less sensitive than wall time to other
// processes, but it counts worker threads' spinning as work). --profile then also prints where a step spends
// its time (train_profile.h).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/common/bench_timing.h"
#include "bench/train/train_profile.h"
#include "nas/config/architecture.h"
#include "nas/graph/architecture_builder.h"
#include "nas/train/trainer.h"
#include "ops/core/op_registry.h"
#include "ops/core/parallel.h"

namespace {

// User + system CPU seconds of this process: on a shared machine, wall time
// grows with other processes' load while this stays close to the work done.
double cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

struct Args {
  int threads = 2;
  int64_t batch = 128;
  int warmup = 5;
  int steps = 20;
  int runs = 3;
  bool profile = false;
  std::vector<std::string> files;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "error: %s\nusage: bench_train_nas [--threads T] [--batch B] [--warmup W] "
               "[--steps S] [--runs R] [--profile] ARCH.yaml...\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto value = [&]() -> long {
      if (i + 1 >= argc) usage(("missing value after " + s).c_str());
      char* end = nullptr;
      const long v = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || v < 0) usage(("bad value for " + s).c_str());
      return v;
    };
    if (s == "--threads") a.threads = static_cast<int>(value());
    else if (s == "--batch") a.batch = value();
    else if (s == "--warmup") a.warmup = static_cast<int>(value());
    else if (s == "--steps") a.steps = static_cast<int>(value());
    else if (s == "--runs") a.runs = static_cast<int>(value());
    else if (s == "--profile") a.profile = true;
    else if (s.rfind("--", 0) == 0) usage(("unknown option " + s).c_str());
    else a.files.push_back(s);
  }
  if (a.files.empty()) usage("no architecture file");
  if (a.threads < 1 || a.batch < 1 || a.steps < 1 || a.runs < 1) usage("counts must be >= 1");
  return a;
}

// Times one architecture; false on a build or training failure (message printed).
bool bench_one(const std::string& path, const Args& a) {
  nas::config::Diagnostics diagnostics;
  auto arch = nas::config::load_architecture(path, nas::ops::op_registry().names(), diagnostics);
  if (!arch) {
    std::fprintf(stderr, "%s\n", diagnostics.str().c_str());
    return false;
  }
  const nas::config::Architecture& ar = *arch;
  nas::train::TrainOptions to;
  to.epochs = 1;
  to.batch_size = a.batch;
  to.optimizer.kind = nas::train::OptimizerKind::kSgd;
  to.optimizer.momentum = 0.9f;
  to.schedule.base_lr = 0.05f;  // constant schedule
  const nas::train::Dataset warm = nas::bench::synthetic_dataset(ar, a.batch * std::max(a.warmup, 1), 1);
  const nas::train::Dataset timed = nas::bench::synthetic_dataset(ar, a.batch * a.steps, 2);
  auto trainer = nas::train::Trainer::create(
      [&ar](int64_t b) { return nas::graph::build_network_spec(ar, b); }, to, timed.size(), 10);
  if (!trainer) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), trainer.status().message().c_str());
    return false;
  }
  nas::train::Trainer& t = *trainer.value();
  // The training network's params include none of the loss's: this is the body's count.
  const int64_t params = t.network().spec().param_count();
  if (a.warmup > 0) {
    if (auto h = t.fit(warm); !h) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), h.status().message().c_str());
      return false;
    }
  }
  std::vector<double> img_s, cpu_ms;
  for (int r = 0; r < a.runs; ++r) {
    const double cpu0 = cpu_seconds();
    const double start = nas::bench::now_s();
    auto h = t.fit(timed);
    const double seconds = nas::bench::now_s() - start;
    cpu_ms.push_back(1e3 * (cpu_seconds() - cpu0) / a.steps);
    if (!h) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), h.status().message().c_str());
      return false;
    }
    img_s.push_back(static_cast<double>(a.batch) * a.steps / seconds);
  }
  std::vector<double> sorted = img_s;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::string runs;
  for (double v : img_s) {
    if (!runs.empty()) runs.push_back(',');
    runs.append(std::to_string(static_cast<long>(v + 0.5)));
  }
  std::printf(
      "train network=%s params=%lld batch=%lld threads=%d steps=%d ms_per_step=%.2f img_s=%.1f "
      "runs_img_s=%s cpu_ms_per_step=%.2f\n",
      ar.name.value.c_str(), static_cast<long long>(params), static_cast<long long>(a.batch),
      nas::ops::num_threads(), a.steps, 1e3 * a.batch / median, median, runs.c_str(), cpu_ms[cpu_ms.size() / 2]);
  std::fflush(stdout);
  if (a.profile) {
    nas::bench::ProfileOptions po;
    po.batch = a.batch;
    po.steps = a.steps;
    if (!nas::bench::profile_training(ar, po)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  nas::ops::set_num_threads(a.threads);
  bool ok = true;
  for (const std::string& f : a.files) ok = bench_one(f, a) && ok;
  return ok ? 0 : 1;
}
