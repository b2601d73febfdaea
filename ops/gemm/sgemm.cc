// Packed, cache-blocked SGEMM (GotoBLAS/BLIS structure) over the micro-kernels
// of ops/kernels/gemm/. In row-major terms the loops are
//
//   for ic in M step MC          A block (MC x KC, packed once) stays in L3
//     for pc in K step KC        fixed k order: the first block applies beta, later ones add
//       pack A[ic.., pc..]       into MR-row panels
//       for jc in N step NC      B block (KC x NC) stays in L2
//         pack B[pc.., jc..]     into NR-column panels
//         for ir in MC step MR   A micro-panel (MR x KC) stays in L1
//           for jr in NC step NR micro-kernel: B micro-panels stream from L2
//
// Threads split C into one contiguous slab each, along N (when A is the
// smaller operand, so only A's packing is duplicated) or along M, on tile
// boundaries. Every C tile therefore sees the same kernel, the same k blocks
// and the same rounding whatever the thread count: results are bit-identical.
#include "ops/gemm/sgemm.h"

#include <algorithm>

#include "ops/core/parallel.h"
#include "ops/core/status.h"
#include "ops/core/workspace.h"
#include "ops/gemm/sgemm_pack.h"
#include "ops/kernels/gemm/gemm_f32_kernels.h"

namespace nas::ops {
namespace {

using kernels::GemmF32Kernel;

// KC: MR x KC A micro-panel must sit in L1 (32 KiB on Zen 4) beside the
// streaming B lines. NC: the KC x NC B block sits in L2 (1 MiB). MC: the A
// block (MC x KC) lives in L3 and is packed once per k block.
constexpr int64_t kKc = 384;
constexpr int64_t kNc = 480;
constexpr int64_t kMc = 2400;
// Below this many flops a second thread costs more (wake-up, duplicated
// packing) than it saves.
constexpr double kMinFlopsPerThread = 2.0e6;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// The kernel for this ISA and m: among the ISA's tiles, the one that pads M
// least (ties go to the first listed, the default tile). Depends only on the
// global m, never on the thread split, so results stay partition-independent.
const GemmF32Kernel& pick_kernel(Isa isa, int64_t m) {
  const GemmF32Kernel* best = nullptr;
  for (const GemmF32Kernel& kern : kernels::gemm_f32_kernels()) {
    if (kern.isa != isa) continue;
    if (best == nullptr || round_up(m, kern.mr) < round_up(m, best->mr)) best = &kern;
  }
  NAS_CHECK(best != nullptr);
  return *best;
}

// C = beta * C (k == 0 or alpha == 0): A and B are not read.
void scale_c(const GemmArgs& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    float* row = g.c + i * g.ldc;
    if (g.beta == 0.0f)
      std::fill(row, row + g.n, 0.0f);
    else
      for (int64_t j = 0; j < g.n; ++j) row[j] *= g.beta;
  }
}

// C[m0:m1, n0:n1] on the calling thread. m0 / n0 are multiples of MR / NR.
void gemm_slab(const GemmArgs& g, const GemmF32Kernel& kern, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t mc_max = std::min(kMc, round_up(m1 - m0, mr));
  const int64_t kc_max = std::min(kKc, g.k);
  const int64_t nc_max = std::min(kNc, round_up(n1 - n0, nr));
  ScratchScope scratch;
  float* a_pack = scratch.alloc_floats(mc_max * kc_max);
  float* b_pack = scratch.alloc_floats(kc_max * nc_max);

  for (int64_t ic = m0; ic < m1; ic += mc_max) {
    const int64_t mc = std::min(mc_max, m1 - ic);
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;
      pack_a_panels(g, ic, mc, pc, kc, kern.mr, a_pack);
      for (int64_t jc = n0; jc < n1; jc += nc_max) {
        const int64_t nc = std::min(nc_max, n1 - jc);
        pack_b_panels(g, pc, kc, jc, nc, kern.nr, b_pack);
        for (int64_t ir = 0; ir < mc; ir += mr) {
          const float* ap = a_pack + ir * kc;
          float* c_row = g.c + (ic + ir) * g.ldc + jc;
          const int64_t rows = std::min(mr, mc - ir);
          for (int64_t jr = 0; jr < nc; jr += nr)
            kern.fn(kc, ap, b_pack + jr * kc, c_row + jr, g.ldc, rows, std::min(nr, nc - jr),
                    g.alpha, beta);
        }
      }
    }
  }
}

void run(const GemmF32Kernel& kern, const GemmArgs& g) {
  const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * g.k;
  const int64_t m_tiles = (g.m + kern.mr - 1) / kern.mr;
  const int64_t n_tiles = (g.n + kern.nr - 1) / kern.nr;
  // Split along N unless B is the smaller operand to duplicate and M has tiles enough.
  const bool split_n = g.m <= g.n || m_tiles < 2;
  const int64_t tiles = split_n ? n_tiles : m_tiles;
  int64_t threads = g.parallel ? num_threads() : 1;
  threads = std::min<int64_t>({threads, tiles, static_cast<int64_t>(flops / kMinFlopsPerThread)});
  if (threads <= 1) {
    gemm_slab(g, kern, 0, g.m, 0, g.n);
    return;
  }
  parallel_for(threads, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t first = tiles * t / threads, last = tiles * (t + 1) / threads;
      if (split_n)
        gemm_slab(g, kern, 0, g.m, first * kern.nr, std::min(g.n, last * kern.nr));
      else
        gemm_slab(g, kern, first * kern.mr, std::min(g.m, last * kern.mr), 0, g.n);
    }
  });
}

}  // namespace

void sgemm_isa(Isa isa, const GemmArgs& g) {
  NAS_CHECK(cpu_supports(isa));
  NAS_CHECK(g.m >= 0 && g.n >= 0 && g.k >= 0);
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0 || g.alpha == 0.0f) {
    scale_c(g);
    return;
  }
  run(pick_kernel(isa, g.m), g);
}

void sgemm(const GemmArgs& g) { sgemm_isa(cpu_features().best, g); }

}  // namespace nas::ops
