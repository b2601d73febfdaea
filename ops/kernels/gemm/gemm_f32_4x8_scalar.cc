// gemm_f32_4x8_scalar: the portable FP32 micro-kernel, 4 rows x 8 columns,
// compiled with the baseline x86-64 flags only (the compiler may use SSE2).
// Same packed layout and contract as the SIMD kernels; the fallback for CPUs
// without AVX2 and the kernel NAS_ISA=scalar pins.
#include "ops/kernels/gemm/gemm_f32_kernels.h"
#include "ops/kernels/gemm/gemm_f32_tile_store.h"

namespace nas::ops::kernels {

void gemm_f32_4x8_scalar(int64_t k, const float* a, const float* b, int64_t ldb, float* c,
                         int64_t ldc, int64_t mr, int64_t nr, float alpha, float beta) {
  constexpr int kMr = 4, kNr = 8;
  float acc[kMr][kNr] = {};
  for (int64_t p = 0; p < k; ++p) {
    for (int i = 0; i < kMr; ++i)
      for (int j = 0; j < kNr; ++j) acc[i][j] += a[i] * b[j];
    a += kMr;
    b += ldb;
  }
  float tile[kMr * kNr];
  float* cp = c;
  int64_t ldcp = ldc;
  const bool full = mr == kMr && nr == kNr;
  if (!full) {
    load_edge_tile<kMr, kNr>(tile, c, ldc, mr, nr, beta);
    cp = tile;
    ldcp = kNr;
  }
  for (int i = 0; i < kMr; ++i)
    for (int j = 0; j < kNr; ++j) {
      float& out = cp[i * ldcp + j];
      out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * out;
    }
  if (!full) store_edge_tile<kNr>(tile, c, ldc, mr, nr);
}

}  // namespace nas::ops::kernels
