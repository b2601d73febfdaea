#include "nas/hardware/profiler/run_delay.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

namespace nas::hardware {

int64_t thread_run_delay_ns() {
  std::ifstream in("/proc/thread-self/schedstat");
  int64_t on_cpu = 0, waited = 0;
  if (in >> on_cpu >> waited) return waited;
  return -1;
}

int64_t process_run_delay_ns() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  int64_t total = 0;
  bool any = false;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string path = std::string("/proc/self/task/") + e->d_name + "/schedstat";
    if (std::FILE* f = std::fopen(path.c_str(), "r")) {
      long long on_cpu = 0, waited = 0;
      if (std::fscanf(f, "%lld %lld", &on_cpu, &waited) == 2) {
        total += waited;
        any = true;
      }
      std::fclose(f);
    }
  }
  closedir(dir);
  return any ? total : -1;
}

bool undisturbed_pass(int64_t delay_before, int64_t delay_after, double pass_ms) {
  if (delay_before < 0 || delay_after < 0) return true;
  const double allowed_ns = std::max(5e3, 0.02 * pass_ms * 1e6);
  return static_cast<double>(delay_after - delay_before) <= allowed_ns;
}

}  // namespace nas::hardware
