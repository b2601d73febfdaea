// Packed, cache-blocked SGEMM (GotoBLAS/BLIS structure) over the micro-kernels
// of ops/kernels/gemm/. In row-major terms the loops are
//
//   for ic in M step MC          A block (MC x KC), packed once per k block
//     for pc in K step KC        fixed k order: the first block applies beta, later ones add
//       pack A[ic.., pc..]       into MR-row panels
//       for jc in N step NC
//         pack B[pc.., jc..]     into NR-column panels (or read in place, short M)
//         for jr in NC step NR   B micro-panel (KC x NR) reused from L1/L2 ...
//           for ir in MC step MR ... by every A micro-panel: the micro-kernel
//                                (ir outer instead when the A block is past L2)
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

// Tuned on Zen 4 (32 KiB L1, 1 MiB L2 per core) with bench/compare gemm.
// KC: long enough that C is loaded and stored rarely, short enough that the
// KC x NR B micro-panel stays near L1. MC: large, so A is packed once per k
// block and B once per (k, n) block. NC: the packed B block's size.
constexpr int64_t kKc = 384;
constexpr int64_t kNc = 480;
constexpr int64_t kMc = 2400;
// Floats of an A block (MC x KC) as large as L2 (1 MiB): past it the loop
// order changes (multiply_block). Measured at 1 thread: 2048^3 3% faster with
// ir outer, 1024^3 1%, 512^3 (half of L2) the same either way.
constexpr int64_t kL2BlockFloats = 256 * 1024;
// Up to this k (one k block), the tile loops run ir outer (multiply_block).
constexpr int64_t kSmallK = 64;
// Short M: B is read in place rather than packed (see gemm_slab).
constexpr int64_t kDirectBMaxM = 128;
// From this many floats of A (m * k, with N split), threads share one packed
// A: duplicated packing then costs more than the two fork-joins per block.
constexpr int64_t kSharedAMinFloats = int64_t{1} << 20;
// Below this many flops a second thread costs more (wake-up, duplicated
// packing) than it saves.
constexpr double kMinFlopsPerThread = 2.0e6;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

void stream_fence() {
#if defined(__SSE__)
  __builtin_ia32_sfence();
#endif
}

// The kernel for this ISA and m: among the ISA's tiles, the one that pads M
// least (ties go to the first listed, the default tile). Depends only on the
// global m, never on the thread split, so results stay partition-independent.
// (Preferring the 12-row tile unless the 8-row one pads 1/16 fewer rows was
// measured 2-3% slower at m = 256 and 1024, 1 thread.)
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

// Packing B costs a pass over k x n floats that only m / MR row panels
// reuse: for short M the kernel reads full-width panels of B in place. Not for
// row strides of a multiple of 4 KiB, whose rows would share cache sets.
bool read_b_in_place(const GemmArgs& g) {
  return g.trans_b == Trans::kNo && g.m <= kDirectBMaxM && g.ldb % 1024 != 0;
}

// One k block [pc, pc+kc) of C[ic:ic+mc, n0:n1] from the packed A panels of
// those rows; packs B itself (into b_pack, kc * NC floats).
void multiply_block(const GemmArgs& g, const GemmF32Kernel& kern, const float* a_pack, int64_t ic,
                    int64_t mc, int64_t pc, int64_t kc, int64_t n0, int64_t n1, float* b_pack) {
  const int64_t mr = kern.mr, nr = kern.nr;
  const float beta = pc == 0 ? g.beta : 1.0f;
  const bool in_place_b = read_b_in_place(g);
  // Non-temporal stores only when C is written once (one k block, beta 0).
  const bool stream = g.stream_c && kern.fn_nt != nullptr && beta == 0.0f && kc == g.k;
  const kernels::GemmF32Fn fn = stream ? kern.fn_nt : kern.fn;
  for (int64_t jc = n0; jc < n1; jc += kNc) {
    const int64_t nc = std::min(kNc, n1 - jc);
    const int64_t full_cols = in_place_b ? nc / nr * nr : 0;
    if (full_cols < nc)
      pack_b_panels(g, pc, kc, jc + full_cols, nc - full_cols, kern.nr, kern.isa, b_pack);
    const float* b_direct = g.b + pc * g.ldb + jc;
    auto tile = [&](int64_t ir, int64_t jr) {
      const bool in_place = jr < full_cols;
      const float* bp = in_place ? b_direct + jr : b_pack + (jr - full_cols) * kc;
      fn(kc, a_pack + ir * kc, bp, in_place ? g.ldb : nr, g.c + (ic + ir) * g.ldc + jc + jr,
         g.ldc, std::min(mr, mc - ir), std::min(nr, nc - jr), g.alpha, beta);
    };
    if (mc * kc > kL2BlockFloats || kc <= kSmallK) {
      // A block larger than L2: ir outer, so the A micro-panel stays in L1
      // and the packed B block streams from L2, rather than A from L3.
      // Short k (a 1x1 conv with few input channels): the whole packed B
      // block is a few KiB and stays in L1, and ir outer writes C row block
      // by row block, each row left to right, rather than in column strips
      // down the whole block.
      for (int64_t ir = 0; ir < mc; ir += mr)
        for (int64_t jr = 0; jr < nc; jr += nr) tile(ir, jr);
    } else {
      // jr outer: each B micro-panel is loaded once (from L3 or memory when
      // read in place, with the kernel's prefetch) and reused from L1/L2 by
      // every A micro-panel of the L2-resident A block.
      for (int64_t jr = 0; jr < nc; jr += nr)
        for (int64_t ir = 0; ir < mc; ir += mr) tile(ir, jr);
    }
  }
  // This thread's streamed stores reach memory before the fork-join ends.
  if (stream) stream_fence();
}

// C[m0:m1, n0:n1] on the calling thread, packing its own A and B.
// m0 / n0 are multiples of MR / NR.
void gemm_slab(const GemmArgs& g, const GemmF32Kernel& kern, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  const int64_t mc_max = std::min(kMc, round_up(m1 - m0, kern.mr));
  const int64_t kc_max = std::min(kKc, g.k);
  ScratchScope scratch;
  float* a_pack = scratch.alloc_floats(mc_max * kc_max);
  float* b_pack = scratch.alloc_floats(kc_max * std::min(kNc, round_up(n1 - n0, kern.nr)));
  for (int64_t ic = m0; ic < m1; ic += mc_max) {
    const int64_t mc = std::min(mc_max, m1 - ic);
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      pack_a_panels(g, ic, mc, pc, kc, kern.mr, kern.isa, a_pack);
      multiply_block(g, kern, a_pack, ic, mc, pc, kc, n0, n1, b_pack);
    }
  }
}

// Threads split N and share one packed A: per (M block, k block), all threads
// pack a share of A's row panels, then each multiplies its N slab. Two
// fork-joins per block, in exchange for packing A once instead of once per
// thread: worth it when A is large.
void gemm_shared_a(const GemmArgs& g, const GemmF32Kernel& kern, int64_t threads) {
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t mc_max = std::min(kMc, round_up(g.m, mr));
  const int64_t kc_max = std::min(kKc, g.k);
  const int64_t n_tiles = (g.n + nr - 1) / nr;
  ScratchScope scratch;
  float* a_pack = scratch.alloc_floats(mc_max * kc_max);
  for (int64_t ic = 0; ic < g.m; ic += mc_max) {
    const int64_t mc = std::min(mc_max, g.m - ic);
    const int64_t panels = (mc + mr - 1) / mr;
    for (int64_t pc = 0; pc < g.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, g.k - pc);
      parallel_for(threads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t first = panels * t / threads, last = panels * (t + 1) / threads;
          const int64_t rows = std::min(mc, last * mr) - first * mr;
          if (rows > 0)
            pack_a_panels(g, ic + first * mr, rows, pc, kc, kern.mr, kern.isa,
                          a_pack + first * mr * kc);
        }
      });
      parallel_for(threads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          const int64_t n0 = n_tiles * t / threads * nr;
          const int64_t n1 = std::min(g.n, n_tiles * (t + 1) / threads * nr);
          if (n0 >= n1) continue;
          ScratchScope local;
          float* b_pack = local.alloc_floats(kc * std::min(kNc, round_up(n1 - n0, nr)));
          multiply_block(g, kern, a_pack, ic, mc, pc, kc, n0, n1, b_pack);
        }
      });
    }
  }
}

void run(const GemmF32Kernel& kern, const GemmArgs& g) {
  const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * g.k;
  const int64_t m_tiles = (g.m + kern.mr - 1) / kern.mr;
  const int64_t n_tiles = (g.n + kern.nr - 1) / kern.nr;
  int64_t threads = g.parallel ? num_threads() : 1;
  threads = std::min<int64_t>(
      {threads, std::max(m_tiles, n_tiles), static_cast<int64_t>(flops / kMinFlopsPerThread)});
  if (threads <= 1) {
    gemm_slab(g, kern, 0, g.m, 0, g.n);
    return;
  }
  // Split the dimension that gives the smaller per-thread work in tiles (a
  // partial tile costs a full one); on a tie split N when A is the smaller
  // operand, since each thread packs all of the operand that is not split.
  const int64_t work_n = (n_tiles + threads - 1) / threads * m_tiles;
  const int64_t work_m = (m_tiles + threads - 1) / threads * n_tiles;
  const bool split_n = work_n < work_m || (work_n == work_m && g.m <= g.n);
  if (split_n && g.m * g.k >= kSharedAMinFloats && n_tiles >= threads) {
    gemm_shared_a(g, kern, threads);
    return;
  }
  const int64_t tiles = split_n ? n_tiles : m_tiles;
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
