#include "ops/gemm/sgemm.h"

namespace nas::ops {

void sgemm_reference(const GemmArgs& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < g.k; ++p) {
        const float av = g.trans_a == Trans::kNo ? g.a[i * g.lda + p] : g.a[p * g.lda + i];
        const float bv = g.trans_b == Trans::kNo ? g.b[p * g.ldb + j] : g.b[j * g.ldb + p];
        acc += static_cast<double>(av) * bv;
      }
      float& c = g.c[i * g.ldc + j];
      c = static_cast<float>(g.alpha * acc + (g.beta == 0.0f ? 0.0 : g.beta * double(c)));
    }
  }
}

}  // namespace nas::ops
