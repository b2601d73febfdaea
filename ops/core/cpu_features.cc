#include "ops/core/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace nas::ops {

bool cpu_supports(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kAvx512: return __builtin_cpu_supports("avx512f") && cpu_supports(Isa::kAvx2);
  }
  return false;
#else
  return isa == Isa::kScalar;
#endif
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
    c.avx2_fma = cpu_supports(Isa::kAvx2);
    c.avx512f = cpu_supports(Isa::kAvx512);
    c.best = c.avx512f ? Isa::kAvx512 : c.avx2_fma ? Isa::kAvx2 : Isa::kScalar;
    // Read once here, at start-up dispatch, never inside a kernel.
    if (const char* pin = std::getenv("NAS_ISA")) {
      if (std::strcmp(pin, "scalar") == 0) c.best = Isa::kScalar;
      else if (std::strcmp(pin, "avx2") == 0 && c.avx2_fma) c.best = Isa::kAvx2;
    }
    return c;
  }();
  return f;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

}  // namespace nas::ops
