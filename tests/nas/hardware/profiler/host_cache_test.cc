#include "nas/hardware/profiler/host_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace nas::hardware {
namespace {

// Sets (or unsets, for nullptr) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, old_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(HostCache, SlugKeepsLettersAndDigits) {
  EXPECT_EQ(slug("AMD EPYC 7763 64-Core Processor"), "amd-epyc-7763-64-core-processor");
  EXPECT_EQ(slug("  Intel(R) Xeon(R) CPU @ 2.20GHz "), "intel-r-xeon-r-cpu-2-20ghz");
  EXPECT_EQ(slug("---"), "unknown");
  EXPECT_EQ(slug(""), "unknown");
}

TEST(HostCache, RootFollowsTheEnvironmentInOrder) {
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv nas("NAS_CACHE_DIR", "/tmp/nc");
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg");
    EXPECT_EQ(nas_cache_root(), "/tmp/nc");
  }
  {
    ScopedEnv nas("NAS_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg");
    EXPECT_EQ(nas_cache_root(), "/tmp/xdg/nas");
  }
  {
    ScopedEnv nas("NAS_CACHE_DIR", "");  // empty counts as unset
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(nas_cache_root(), "/home/u/.cache/nas");
  }
  {
    ScopedEnv nas("NAS_CACHE_DIR", nullptr);
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv no_home("HOME", nullptr);
    EXPECT_TRUE(nas_cache_root().empty());
  }
}

TEST(HostCache, FolderPerCpuThreadsAndBatch) {
  EXPECT_EQ(host_profile_dir("/c", "AMD EPYC", 2, 1), "/c/host/amd-epyc-t2-b1");
  EXPECT_EQ(host_profile_dir("/c", "AMD EPYC", 1, 8), "/c/host/amd-epyc-t1-b8");
  EXPECT_EQ(host_profile_dir("/c", "AMD EPYC", 1, 1, true), "/c/host/amd-epyc-t1-b1-cpuclock");
  EXPECT_FALSE(cpu_model_name().empty());
}

}  // namespace
}  // namespace nas::hardware
