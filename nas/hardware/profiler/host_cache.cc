#include "nas/hardware/profiler/host_cache.h"

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "ops/core/status.h"

namespace nas::hardware {

namespace fs = std::filesystem;

fs::path nas_cache_root() {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? v : nullptr;
  };
  if (const char* dir = env("NAS_CACHE_DIR")) return dir;
  if (const char* xdg = env("XDG_CACHE_HOME")) return fs::path(xdg) / "nas";
  if (const char* home = env("HOME")) return fs::path(home) / ".cache" / "nas";
  return {};
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string name = line.substr(colon + 1);
    const size_t b = name.find_first_not_of(" \t");
    const size_t e = name.find_last_not_of(" \t");
    if (b == std::string::npos) break;
    return name.substr(b, e - b + 1);
  }
  return "unknown cpu";
}

std::string slug(const std::string& text) {
  std::string out;
  bool dash = false;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += static_cast<char>(std::tolower(c));
    } else {
      dash = true;
    }
  }
  return out.empty() ? "unknown" : out;
}

fs::path host_profile_dir(const fs::path& root, const std::string& cpu_model, int threads,
                          int64_t batch, bool cpu_clock) {
  NAS_CHECK(threads >= 1 && batch >= 1);
  return root / "host" /
         (slug(cpu_model) + "-t" + std::to_string(threads) + "-b" + std::to_string(batch) +
          (cpu_clock ? "-cpuclock" : ""));
}

}  // namespace nas::hardware
