// Where the measured host profile lives. One folder per (CPU model, thread
// count, batch size), since a latency measured with 2 threads or batch 8 says
// little about 1 thread or batch 1:
//   <cache>/host/<cpu-model-slug>-t<threads>-b<batch>[-cpuclock]/{host.yaml, host.lut.csv}
// (-cpuclock: latencies on the thread CPU clock, timing_clock.h).
// <cache> is $NAS_CACHE_DIR if set, else $XDG_CACHE_HOME/nas, else
// ~/.cache/nas (docs/profiling.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace nas::hardware {

// The cache root by the rules above; empty when none of the variables is set.
std::filesystem::path nas_cache_root();

// This CPU's model name from /proc/cpuinfo ("AMD EPYC 7763 64-Core
// Processor"); "unknown cpu" when it cannot be read.
std::string cpu_model_name();

// Lower-case letters and digits of `text`, every other run of characters
// turned into one '-', no leading or trailing '-' ("AMD EPYC 7763 64-Core"
// -> "amd-epyc-7763-64-core"); "unknown" when nothing is left.
std::string slug(const std::string& text);

// <root>/host/<slug(cpu_model)>-t<threads>-b<batch>, with "-cpuclock" when
// cpu_clock. REQUIRES: threads >= 1, batch >= 1.
std::filesystem::path host_profile_dir(const std::filesystem::path& root, const std::string& cpu_model,
                                       int threads, int64_t batch, bool cpu_clock = false);

// The two files of a host profile folder.
inline constexpr const char* kHostProfileFile = "host.yaml";
inline constexpr const char* kHostLutFile = "host.lut.csv";

}  // namespace nas::hardware
