#include "nas/hardware/profiler/run_delay.h"

#include <filesystem>
#include <fstream>

namespace nas::hardware {

int64_t process_run_delay_ns() {
  namespace fs = std::filesystem;
  std::error_code ec;
  int64_t total = 0;
  bool any = false;
  for (const auto& task : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    int64_t on_cpu = 0, waited = 0;
    if (in >> on_cpu >> waited) {
      total += waited;
      any = true;
    }
  }
  return any ? total : -1;
}

}  // namespace nas::hardware
