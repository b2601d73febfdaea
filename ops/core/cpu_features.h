// The CPU's SIMD features, read once; kernels are chosen from these at run
// time so one binary runs on any x86-64.
#pragma once

#include <string>

namespace nas::ops {

enum class Isa { kScalar, kAvx2, kAvx512 };

struct CpuFeatures {
  bool avx2_fma = false;  // AVX2 and FMA3 both present
  bool avx512f = false;
  // Best ISA both present and allowed by NAS_ISA (scalar|avx2|avx512), which
  // tests and benchmarks use to pin a kernel family.
  Isa best = Isa::kScalar;
};

const CpuFeatures& cpu_features();
const char* isa_name(Isa isa);
// True when the CPU can run kernels of this ISA (ignores NAS_ISA).
bool cpu_supports(Isa isa);

}  // namespace nas::ops
