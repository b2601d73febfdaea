#include "ops/kernels/seq/seq_kernels.h"

namespace nas::ops {

// AVX-512 has no raw-FMA gain over AVX2 on the target (Zen 4 double-pumps
// zmm) and these kernels are short rows, so AVX-512 machines use the AVX2 set.
const SeqKernels* seq_kernels_for(Isa isa) {
  if (!cpu_supports(isa)) return nullptr;
  switch (isa) {
    case Isa::kScalar: return &seq_kernels_scalar();
    case Isa::kAvx2:
    case Isa::kAvx512: return &seq_kernels_avx2();
  }
  return nullptr;
}

const SeqKernels& seq_kernels() {
  static const SeqKernels* k = seq_kernels_for(cpu_features().best);
  return *k;
}

}  // namespace nas::ops
