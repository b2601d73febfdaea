// Placeholder dispatch until the packed kernels land: forwards to the
// reference loop. The GEMM work replaces this file.
#include "ops/gemm/sgemm.h"

namespace nas::ops {

void sgemm(const GemmArgs& args) { sgemm_reference(args); }

}  // namespace nas::ops
