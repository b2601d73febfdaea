// Shared by the ISA kernel files: partial (edge) tiles go through a local
// MR x NR buffer so that they use exactly the same vector store code, and so
// round exactly like full tiles. Internal linkage on purpose: each kernel file
// is compiled with different ISA flags, and an inline function with external
// linkage could be merged by the linker into a copy using an unsupported ISA.
#pragma once

#include <cstdint>

namespace nas::ops::kernels {
namespace {

// Copies the mr x nr corner of C into tile (row stride NR) when beta != 0;
// the rest of tile is zeroed so no uninitialised value is ever computed on.
template <int MR, int NR>
void load_edge_tile(float* tile, const float* c, int64_t ldc, int64_t mr, int64_t nr, float beta) {
  for (int i = 0; i < MR * NR; ++i) tile[i] = 0.0f;
  if (beta == 0.0f) return;
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) tile[i * NR + j] = c[i * ldc + j];
}

template <int NR>
void store_edge_tile(const float* tile, float* c, int64_t ldc, int64_t mr, int64_t nr) {
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) c[i * ldc + j] = tile[i * NR + j];
}

}  // namespace
}  // namespace nas::ops::kernels
