// Depthwise part of the conv micro-kernel body (see conv_f32_impl.h, which
// includes it inside its per-ISA anonymous namespace, after vf/load/store/
// stream_store are defined). Kept in its own file so that the depthwise
// kernels and the dense tile / Winograd kernels can change independently.
// No header guard: included once per ISA translation unit.
//
// Forward: register tiles of up to kDwPix output pixels x one channel vector,
// over a ring of zero-padded input rows (batches that stream from memory,
// and kernels without fixed tiles on narrow rows) or in place (cached
// images: with edge tiles whose padding columns are zero vectors for the
// fixed 3/5/7 kernels, else with checked border pixels). Backward
// data: stride 1 runs as the forward of the rotated kernel (ops/conv), other
// strides by stride phase (dw_backward_data). Weight gradient: tiles of
// output pixels x all channels swept in memory order (3, 5 and 7 columns at
// stride 1, 3 and 5 at stride 2; a ring from memory, else in place with edge
// tiles), or per-row sweeps with the tap sums in
// registers (7 columns at other strides or dilations, generic). Large
// outputs leave with non-temporal stores, through an aligned row buffer when
// the caller's buffer is not vector-aligned.

// Valid range of output index o for which o*s - pad + tap*d lies in [0, n).
inline void valid_range(int64_t n, int64_t out, int s, int pad, int64_t tap_off, int64_t* lo,
                        int64_t* hi) {
  // o*s >= pad - tap_off  and  o*s <= n - 1 + pad - tap_off
  const int64_t a = pad - tap_off, b = n - 1 + pad - tap_off;
  int64_t l = a <= 0 ? 0 : (a + s - 1) / s;
  int64_t h = b < 0 ? -1 : b / s;
  *lo = std::min<int64_t>(l, out);
  *hi = std::max<int64_t>(*lo, std::min<int64_t>(h + 1, out));
}

template <typename T>
inline T ld(const float* p) {
  if constexpr (sizeof(T) == sizeof(float)) return *p;
  else return load(p);
}

// Copies n floats to dst with non-temporal stores for the vector-aligned
// middle (plain stores for the unaligned head and the tail).
inline void stream_copy(float* dst, const float* src, int64_t n) {
  int64_t i = 0;
  for (; i < n && reinterpret_cast<uintptr_t>(dst + i) % sizeof(vf) != 0; ++i) dst[i] = src[i];
  for (; i + kV <= n; i += kV) stream_store(dst + i, load(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}

// Batches in L3 read in place: while one output row is computed, its tiles
// fetch the rows the next output row adds (part k of t per tile). (The same
// for the ring copies of batches from memory was not measurably faster.)
struct DwRowPrefetch {
  const float* p[2] = {nullptr, nullptr};
  int64_t n[2] = {0, 0};
  int64_t tiles = 1;
  void part(int64_t k) const {
    for (int r = 0; r < 2; ++r) {
      if (!p[r]) continue;
      const int64_t e = n[r] * (k + 1) / tiles;
      for (int64_t f = n[r] * k / tiles / 16 * 16; f < e; f += 16) __builtin_prefetch(p[r] + f, 0, 2);
    }
  }
};

// The input rows [r0, r1) of an image of h rows of row_floats (clamped).
inline void dw_rows_ahead(const float* x, int64_t h, int64_t row_floats, int64_t r0, int64_t r1, const float** p,
                          int64_t* n) {
  r0 = std::max<int64_t>(r0, 0);
  r1 = std::min(r1, h);
  *p = r0 < r1 ? x + r0 * row_floats : nullptr;
  *n = r0 < r1 ? (r1 - r0) * row_floats : 0;
}

// Where a kernel writes output row r: in place, or, for streamed outputs
// whose pixels are not vector-aligned (buffers from plain malloc), into an
// aligned row buffer that done(r) streams out (rows are contiguous, so the
// whole row can go out with aligned non-temporal stores).
struct DwRowSink {
  float* y;
  int64_t row_floats;
  float* stage;  // null: write in place
  bool stream;
  float* row(int64_t r) const { return stage ? stage : y + r * row_floats; }
  void done(int64_t r) const {
    if (!stage) return;
    if (stream) stream_copy(y + r * row_floats, stage, row_floats);
    else std::memcpy(y + r * row_floats, stage, sizeof(float) * row_floats);
  }
};

// True when a.y's pixels are not vector-aligned and the output is large:
// stream stores need alignment, and the tiles' split-line stores cost more
// than the row copy at batch sizes beyond the caches (measured 10% at batch
// 128; for cached outputs the copy costs more than it saves).
inline bool dw_staged(const DwArgs& a) {
  return (a.stream || a.from_memory) &&
         (reinterpret_cast<uintptr_t>(a.y) | (a.c * sizeof(float))) % sizeof(vf) != 0;
}

template <typename T>
inline void st(float* p, T v) {
  if constexpr (sizeof(T) == sizeof(float)) *p = v;
  else store(p, v);
}

// Pins a loaded vector to a register: GCC otherwise folds the load into
// every FMA that uses it (one load per FMA instead of one per vector, which
// made the forward tiles load-bound).
inline vf in_register(vf v) {
#if defined(__AVX512F__)
  asm("" : "+v"(v));
#elif defined(__SSE__)
  asm("" : "+x"(v));
#endif
  return v;
}

// One output pixel, all taps checked; T is vf (channel block at ch) or float.
template <typename T>
T dw_pixel(const DwArgs& a, int64_t oy, int64_t ox, int64_t ch) {
  T acc{};
  for (int ky = 0; ky < a.kh; ++ky) {
    const int64_t iy = oy * a.stride - a.pad + ky * a.dilation;
    if (iy < 0 || iy >= a.h) continue;
    for (int kx = 0; kx < a.kw; ++kx) {
      const int64_t ix = ox * a.stride - a.pad + kx * a.dilation;
      if (ix < 0 || ix >= a.w) continue;
      const float* xp = a.x + (iy * a.w + ix) * a.c + ch;
      const float* wp = a.wt + (ky * a.kw + kx) * a.c + ch;
      if constexpr (sizeof(T) == sizeof(float)) acc += *xp * *wp;
      else acc += load(xp) * load(wp);
    }
  }
  return acc;
}

// Stores a tile's NP output pixels of the channel vector at ch: streamed
// when the call asked for it and the addresses are vector-aligned.
template <int NP>
[[gnu::always_inline]] inline void dw_store_tile(const DwArgs& a, float* out, int64_t ch, const vf (&acc)[NP]) {
  const int64_t c = a.c;
  if (a.stream && (reinterpret_cast<uintptr_t>(out + ch) | (c * sizeof(float))) % sizeof(vf) == 0) {
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) stream_store(out + i * c + ch, acc[i]);
  } else {
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) store(out + i * c + ch, acc[i]);
  }
}

// Depthwise forward works from a ring of zero-padded input rows (one row
// copied per new input row), so every output pixel takes the same unchecked
// path: NP outputs x one channel vector per register tile. rows[ky] points at
// the padded input row of kernel row ky, at the tile's first column.

// Fixed kernel width and stride, dilation 1: each kernel row's input vectors
// are loaded once and reused by every kx tap. A null rows[ky] is a row
// outside the image (its taps are skipped).
template <int NP, int KW, int S>
void dw_tile_fixed(const float* const* rows, const DwArgs& a, int64_t cv, float* out) {
  constexpr int kIn = (NP - 1) * S + KW;
  const int64_t c = a.c;
  for (int64_t ch = 0; ch < cv; ch += kV) {
    vf acc[NP];
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) acc[i] = vf{};
#pragma GCC unroll 7
    for (int ky = 0; ky < KW; ++ky) {
      if (!rows[ky]) continue;
      const float* xp = rows[ky] + ch;
      vf in[kIn];
#pragma GCC unroll 32
      for (int j = 0; j < kIn; ++j) {
        // Pinned for 3 columns (measured 12% faster); 5 and 7 were not faster.
        if constexpr (KW <= 3) in[j] = in_register(load(xp + j * c));
        else in[j] = load(xp + j * c);
      }
      const float* wp = a.wt + ky * KW * c + ch;
#pragma GCC unroll 8
      for (int kx = 0; kx < KW; ++kx) {
        const vf wv = load(wp + kx * c);
#pragma GCC unroll 8
        for (int i = 0; i < NP; ++i) acc[i] += in[i * S + kx] * wv;
      }
    }
    dw_store_tile<NP>(a, out, ch, acc);
  }
}

// dw_tile_fixed for a tile whose first lz and last rz input columns fall
// outside the image (zero padding), read in place: those columns are zero
// vectors instead of loads, so the sums are the ring's, term for term.
// rows[ky] is the input row of kernel row ky at column 0 (null outside the
// image), col0 the tile's first input column (may be negative).
template <int NP, int KW, int S>
void dw_tile_edge(const float* const* rows, int64_t col0, int lz, int rz, const DwArgs& a, int64_t cv,
                  float* out) {
  constexpr int kIn = (NP - 1) * S + KW;
  const int64_t c = a.c;
  for (int64_t ch = 0; ch < cv; ch += kV) {
    vf acc[NP];
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) acc[i] = vf{};
#pragma GCC unroll 7
    for (int ky = 0; ky < KW; ++ky) {
      if (!rows[ky]) continue;
      vf in[kIn];
#pragma GCC unroll 32
      for (int j = 0; j < kIn; ++j)
        in[j] = j >= lz && j < kIn - rz ? load(rows[ky] + (col0 + j) * c + ch) : vf{};
      const float* wp = a.wt + ky * KW * c + ch;
#pragma GCC unroll 8
      for (int kx = 0; kx < KW; ++kx) {
        const vf wv = load(wp + kx * c);
#pragma GCC unroll 8
        for (int i = 0; i < NP; ++i) acc[i] += in[i * S + kx] * wv;
      }
    }
    dw_store_tile<NP>(a, out, ch, acc);
  }
}

// Any kernel width, stride and dilation.
template <int NP>
void dw_tile_generic(const float* const* rows, const DwArgs& a, int64_t cv, float* out) {
  const int64_t c = a.c, sx = int64_t{a.stride} * c;
  for (int64_t ch = 0; ch < cv; ch += kV) {
    vf acc[NP];
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) acc[i] = vf{};
    for (int ky = 0; ky < a.kh; ++ky) {
      const float* wp = a.wt + ky * a.kw * c + ch;
      for (int kx = 0; kx < a.kw; ++kx) {
        const vf wv = load(wp + kx * c);
        const float* xk = rows[ky] + int64_t{kx} * a.dilation * c + ch;
#pragma GCC unroll 8
        for (int i = 0; i < NP; ++i) acc[i] += load(xk + i * sx) * wv;
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) store(out + i * c + ch, acc[i]);
  }
}

using DwTileFn = void (*)(const float* const*, const DwArgs&, int64_t, float*);

template <int NP>
DwTileFn dw_tile_for(const DwArgs& a) {
  if (a.dilation == 1 && a.stride == 1 && a.kh == a.kw) {
    if (a.kw == 3) return &dw_tile_fixed<NP, 3, 1>;
    if (a.kw == 5) return &dw_tile_fixed<NP, 5, 1>;
    if (a.kw == 7) return &dw_tile_fixed<NP, 7, 1>;
  } else if (a.dilation == 1 && a.stride == 2 && a.kh == a.kw) {
    if (a.kw == 3) return &dw_tile_fixed<NP, 3, 2>;
    if (a.kw == 5) return &dw_tile_fixed<NP, 5, 2>;
  }
  return &dw_tile_generic<NP>;
}

// Tile functions for NP = 1..kDwPix pixels, index NP.
struct DwTiles {
  DwTileFn fn[kDwPix + 1];
};

template <int... Ns>
DwTiles make_dw_tiles(const DwArgs& a, std::integer_sequence<int, Ns...>) {
  return DwTiles{{nullptr, dw_tile_for<Ns + 1>(a)...}};
}

using DwEdgeFn = void (*)(const float* const*, int64_t, int, int, const DwArgs&, int64_t, float*);

// Interior and edge tiles of the in-place forward (fixed kernels only).
struct DwEdgeTiles {
  DwTileFn fn[kDwPix + 1];
  DwEdgeFn edge[kDwPix + 1];
};

template <int KW, int S, int... Ns>
constexpr DwEdgeTiles dw_edge_table(std::integer_sequence<int, Ns...>) {
  return {{nullptr, &dw_tile_fixed<Ns + 1, KW, S>...}, {nullptr, &dw_tile_edge<Ns + 1, KW, S>...}};
}

// The tile table for a's geometry, or null when it has no fixed tiles.
inline const DwEdgeTiles* dw_edge_tiles(const DwArgs& a) {
  using Seq = std::make_integer_sequence<int, kDwPix>;
  static constexpr DwEdgeTiles k31 = dw_edge_table<3, 1>(Seq{}), k51 = dw_edge_table<5, 1>(Seq{}),
                               k71 = dw_edge_table<7, 1>(Seq{}), k32 = dw_edge_table<3, 2>(Seq{}),
                               k52 = dw_edge_table<5, 2>(Seq{});
  if (a.dilation != 1 || a.kh != a.kw) return nullptr;
  if (a.stride == 1) return a.kw == 3 ? &k31 : a.kw == 5 ? &k51 : a.kw == 7 ? &k71 : nullptr;
  if (a.stride == 2) return a.kw == 3 ? &k32 : a.kw == 5 ? &k52 : nullptr;
  return nullptr;
}

// Splits [begin, end) into ceil(n / kDwPix) spans of near-equal width (14
// pixels become 7 + 7 rather than 8 + 4 + 1 + 1) and calls run(ox, np).
template <typename Run>
void for_each_dw_span(int64_t begin, int64_t end, Run run) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int64_t t = (n + kDwPix - 1) / kDwPix, small = n / t, big_count = n % t;
  int64_t ox = begin;
  for (int64_t i = 0; i < t; ++i) {
    const int np = static_cast<int>(small + (i < big_count ? 1 : 0));
    run(ox, np);
    ox += np;
  }
}

// The same spans, each with its tile function: run(fn, ox, np).
template <typename Run>
void for_each_dw_tile(const DwTiles& tiles, int64_t begin, int64_t end, Run run) {
  for_each_dw_span(begin, end, [&](int64_t ox, int np) { run(tiles.fn[np], ox, np); });
}

// Wide rows (beyond L1) of cached images: copying each input row into a
// padded ring costs more than it saves here (measured 2x slower at N=1
// 112x112x96; batches streaming from memory take the ring, see dw_forward),
// so tiles whose taps all fall inside the row read the input in place (rows
// above or below the image read a zero row) and the few border pixels take
// the checked path.
void dw_forward_in_place(const DwArgs& args) {
  const bool staged = dw_staged(args);
  DwArgs a = args;
  a.stream = a.stream && !staged;  // the tiles stream only straight to y
  const int64_t c = a.c, cv = c / kV * kV;
  int64_t in_lo, in_hi, lo_last, hi_last;
  valid_range(a.w, a.ow, a.stride, a.pad, 0, &in_lo, &in_hi);
  valid_range(a.w, a.ow, a.stride, a.pad, int64_t{a.kw - 1} * a.dilation, &lo_last, &hi_last);
  const int64_t x_lo = std::max(in_lo, lo_last), x_hi = std::max(x_lo, std::min(in_hi, hi_last));
  const int64_t zero_floats = ((kDwPix - 1) * int64_t{a.stride} + int64_t{a.kw - 1} * a.dilation + 1) * c;
  ScratchScope scratch;  // the thread's reused arena: no allocation in steady state
  float* zeros = scratch.alloc_floats(zero_floats);  // only ever read
  std::memset(zeros, 0, sizeof(float) * zero_floats);
  const DwRowSink sink{a.y, a.ow * c, staged ? scratch.alloc_floats(a.ow * c) : nullptr, args.stream};
  const DwTiles tiles = make_dw_tiles(a, std::make_integer_sequence<int, kDwPix>{});
  const float* in_row[64];
  const float* rows[64];
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    float* yrow = sink.row(oy);
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t iy = oy * a.stride - a.pad + int64_t{ky} * a.dilation;
      in_row[ky] = iy >= 0 && iy < a.h ? a.x + iy * a.w * c : nullptr;
    }
    auto border = [&](int64_t ox) {
      for (int64_t ch = 0; ch < cv; ch += kV) store(yrow + ox * c + ch, dw_pixel<vf>(a, oy, ox, ch));
      for (int64_t ch = cv; ch < c; ++ch) yrow[ox * c + ch] = dw_pixel<float>(a, oy, ox, ch);
    };
    auto run = [&](DwTileFn fn, int64_t ox, int np) {
      if (cv > 0) {
        for (int ky = 0; ky < a.kh; ++ky)
          rows[ky] = in_row[ky] ? in_row[ky] + (ox * a.stride - a.pad) * c : zeros;
        fn(rows, a, cv, yrow + ox * c);
      }
      for (int64_t px = ox; px < ox + np; ++px)
        for (int64_t ch = cv; ch < c; ++ch) yrow[px * c + ch] = dw_pixel<float>(a, oy, px, ch);
    };
    for (int64_t ox = 0; ox < x_lo; ++ox) border(ox);
    for_each_dw_tile(tiles, x_lo, x_hi, run);
    for (int64_t ox = x_hi; ox < a.ow; ++ox) border(ox);
    sink.done(oy);
  }
}

// Cached images with fixed kernels: every tile reads its input in place,
// the tiles at the image's left and right edges with zero vectors for the
// padding columns, rows outside the image skipped. No row copies (the ring's
// copies were ~25% of a 14x14x128 forward) and no checked border pixels.
void dw_forward_edges(const DwArgs& args, const DwEdgeTiles& tiles) {
  const bool staged = dw_staged(args);
  DwArgs a = args;
  a.stream = a.stream && !staged;  // the tiles stream only straight to y
  const int64_t c = a.c, cv = c / kV * kV, s = a.stride;
  ScratchScope scratch;
  const DwRowSink sink{a.y, a.ow * c, staged ? scratch.alloc_floats(a.ow * c) : nullptr, args.stream};
  const float* in_row[64];
  const float* rows[64];
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    float* yrow = sink.row(oy);
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t iy = oy * s - a.pad + ky;
      in_row[ky] = iy >= 0 && iy < a.h ? a.x + iy * a.w * c : nullptr;
    }
    for_each_dw_span(0, a.ow, [&](int64_t ox, int np) {
      const int64_t col0 = ox * s - a.pad, n_in = (np - 1) * s + a.kw;
      const int64_t lz = std::clamp<int64_t>(-col0, 0, n_in), rz = std::clamp<int64_t>(col0 + n_in - a.w, 0, n_in);
      // Batches in L3 only: the input row the next output row adds, one row
      // ahead (the tiles walk kh rows at once, which the hardware
      // prefetchers follow poorly). Stride 2 was slower with it (2 rows a
      // tile, beyond L1), and so are images in L2.
      if (a.prefetch && s == 1) {
        const int64_t iy = oy - a.pad + a.kh;
        if (iy >= 0 && iy < a.h) {
          const float* p0 = a.x + (iy * a.w + col0 + lz) * c;
          for (int64_t f = 0, n = (n_in - lz - rz) * c; f < n; f += 64 / sizeof(float))
            __builtin_prefetch(p0 + f, 0, 3);
        }
      }
      if (cv > 0) {
        if (lz == 0 && rz == 0) {
          for (int ky = 0; ky < a.kh; ++ky) rows[ky] = in_row[ky] ? in_row[ky] + col0 * c : nullptr;
          tiles.fn[np](rows, a, cv, yrow + ox * c);
        } else {
          tiles.edge[np](in_row, col0, static_cast<int>(lz), static_cast<int>(rz), a, cv, yrow + ox * c);
        }
      }
      for (int64_t px = ox; px < ox + np; ++px)
        for (int64_t ch = cv; ch < c; ++ch) yrow[px * c + ch] = dw_pixel<float>(a, oy, px, ch);
    });
    sink.done(oy);
  }
}

void dw_forward_ring(const DwArgs& a);

void dw_forward(const DwArgs& a) {
  const DwEdgeTiles* edge = a.from_memory ? nullptr : dw_edge_tiles(a);
  if (edge)
    dw_forward_edges(a, *edge);
  else if (dw_forward_uses_ring(a))
    dw_forward_ring(a);  // the only path that transforms (dw_can_transform_input)
  else
    dw_forward_in_place(a);
  if (a.stream || a.xform) stream_fence();
}

void dw_forward_ring(const DwArgs& args) {
  const bool staged = dw_staged(args);
  DwArgs a = args;
  a.stream = a.stream && !staged;  // the tiles stream only straight to y
  const int64_t c = a.c, cv = c / kV * kV;
  const int64_t span = dw_ring_span(a), wp = dw_ring_row_pixels(a);
  const int64_t first = a.row_begin * a.stride - a.pad;  // first input row needed
  // Ring of `span` padded rows (span * wp * c floats: small enough for L2)
  // from the thread's reused scratch arena.
  ScratchScope scratch;
  float* ring = scratch.alloc_floats(span * wp * c);
  const DwRowSink sink{a.y, a.ow * c, staged ? scratch.alloc_floats(a.ow * c) : nullptr, args.stream};
  int64_t next = first;  // next input row to copy into the ring
  const DwTiles tiles = make_dw_tiles(a, std::make_integer_sequence<int, kDwPix>{});
  const float* rows[64];
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    const int64_t base = oy * a.stride - a.pad;
    for (; next < base + span; ++next) {
      if (next < base) continue;  // skipped by a stride larger than the span
      float* dst = ring + ((next - first) % span) * wp * c;
      if (next < 0 || next >= a.h) {
        std::memset(dst, 0, sizeof(float) * wp * c);
        continue;
      }
      const float* src = a.x + next * a.w * c;
      const int64_t j0 = std::min<int64_t>(a.pad, wp), j1 = std::clamp<int64_t>(a.pad + a.w, j0, wp);
      std::memset(dst, 0, sizeof(float) * j0 * c);
      if (a.xform) {  // whole rows here (dw_can_transform_input)
        a.xform(a.xform_ctx, src, j1 - j0, dst + j0 * c);
        const int64_t owner = dw_owner_row(a, next);
        if (a.xt && owner >= a.row_begin && owner < a.row_end) stream_copy(a.xt + next * a.w * c, dst + j0 * c, (j1 - j0) * c);
      } else {
        std::memcpy(dst + j0 * c, src, sizeof(float) * (j1 - j0) * c);
      }
      std::memset(dst + j1 * c, 0, sizeof(float) * (wp - j1) * c);
    }
    // Transforming: the input rows the next output row adds are fetched
    // into L1 while this row's tiles run (as in dw_backward_weights_fixed).
    if (a.xform)
      for (int64_t r = std::max<int64_t>(base + span, 0); r < std::min<int64_t>(base + a.stride + span, a.h); ++r)
        for (int64_t f = 0, n = a.w * c; f < n; f += 64 / sizeof(float)) __builtin_prefetch(a.x + r * a.w * c + f, 0, 3);
    float* yrow = sink.row(oy);
    const float* row0[64];
    for (int ky = 0; ky < a.kh; ++ky)
      row0[ky] = ring + ((base + int64_t{ky} * a.dilation - first) % span) * wp * c;
    // np output pixels from ox: vector channels by fn, the channel tail scalar.
    auto run = [&](DwTileFn fn, int64_t ox, int np) {
      if (cv > 0) {
        for (int ky = 0; ky < a.kh; ++ky) rows[ky] = row0[ky] + ox * a.stride * c;
        fn(rows, a, cv, yrow + ox * c);
      }
      for (int64_t px = ox; px < ox + np; ++px)
        for (int64_t ch = cv; ch < c; ++ch) {
          float acc = 0;
          for (int ky = 0; ky < a.kh; ++ky)
            for (int kx = 0; kx < a.kw; ++kx)
              acc += row0[ky][(px * a.stride + int64_t{kx} * a.dilation) * c + ch] *
                     a.wt[(ky * a.kw + kx) * c + ch];
          yrow[px * c + ch] = acc;
        }
    };
    for_each_dw_tile(tiles, 0, a.ow, run);
    sink.done(oy);
  }
}

// dx[iy][ix] = sum over taps whose output position is on the stride grid.
template <typename T>
T dw_grad_pixel(const DwArgs& a, int64_t iy, int64_t ix, int64_t ch) {
  T acc{};
  for (int ky = 0; ky < a.kh; ++ky) {
    const int64_t ny = iy + a.pad - int64_t{ky} * a.dilation;
    if (ny < 0 || ny % a.stride) continue;
    const int64_t oy = ny / a.stride;
    if (oy >= a.oh) continue;
    for (int kx = 0; kx < a.kw; ++kx) {
      const int64_t nx = ix + a.pad - int64_t{kx} * a.dilation;
      if (nx < 0 || nx % a.stride) continue;
      const int64_t ox = nx / a.stride;
      if (ox >= a.ow) continue;
      const float* gp = a.dy + (oy * a.ow + ox) * a.c + ch;
      const float* wp = a.wt + (ky * a.kw + kx) * a.c + ch;
      if constexpr (sizeof(T) == sizeof(float)) acc += *gp * *wp;
      else acc += load(gp) * load(wp);
    }
  }
  return acc;
}

// Backward data by stride phase: the dx columns ix = phi + k*stride of one
// phase all take the same kernel columns (those with (phi + pad - kx*d) a
// multiple of the stride), and for each of them the dy column is k + off[kx]:
// a stride-1 gather over dy with a fixed tap list. So each dx pixel sums only
// its own taps (about taps/stride^2 of them) with no per-tap checks except
// at the borders, NP pixels x one channel vector per register tile.
// src[t] is the dy row of tap t at column off (tile-relative), wts[t] its
// weights.
// Inlined into dw_bwd_tiles (a call per channel vector, with its set-up,
// cost 14% of a 28x28x144 stride-2 pass).
template <typename T, int NP, bool kStream>
__attribute__((always_inline)) inline void dw_bwd_tile(const float* const* src, const float* const* wts, int taps,
                                                       int64_t c, int64_t sc, float* out, int64_t ch) {
  T acc[NP];
#pragma GCC unroll 8
  for (int i = 0; i < NP; ++i) acc[i] = T{};
  for (int t = 0; t < taps; ++t) {
    const T wv = ld<T>(wts[t] + ch);
    const float* sp = src[t] + ch;
#pragma GCC unroll 8
    for (int i = 0; i < NP; ++i) acc[i] += ld<T>(sp + i * c) * wv;
  }
#pragma GCC unroll 8
  for (int i = 0; i < NP; ++i) {
    if constexpr (kStream && sizeof(T) != sizeof(float)) stream_store(out + i * sc + ch, acc[i]);
    else st<T>(out + i * sc + ch, acc[i]);
  }
}

// kStream: non-temporal stores of the vector channels (REQUIRES: out and c
// vector-aligned).
template <int NP, bool kStream>
void dw_bwd_tiles(const float* const* src, const float* const* wts, int taps, int64_t c, int64_t sc,
                  float* out) {
  const int64_t cv = c / kV * kV;
  for (int64_t ch = 0; ch < cv; ch += kV) dw_bwd_tile<vf, NP, kStream>(src, wts, taps, c, sc, out, ch);
  for (int64_t ch = cv; ch < c; ++ch) dw_bwd_tile<float, NP, false>(src, wts, taps, c, sc, out, ch);
}

using DwBwdFn = void (*)(const float* const*, const float* const*, int, int64_t, int64_t, float*);

struct DwBwdTiles {
  DwBwdFn fn[kDwPix + 1];  // index NP = 1..kDwPix
};

template <bool kStream, int... Ns>
constexpr DwBwdTiles dw_bwd_table(std::integer_sequence<int, Ns...>) {
  return {{nullptr, &dw_bwd_tiles<Ns + 1, kStream>...}};
}

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Any geometry, every tap checked per pixel (kernels beyond the tap lists).
void dw_backward_data_gather(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t iy = a.row_begin; iy < a.row_end; ++iy)
    for (int64_t ix = 0; ix < a.w; ++ix) {
      float* out = a.y + (iy * a.w + ix) * c;
      for (int64_t ch = 0; ch < cv; ch += kV) store(out + ch, dw_grad_pixel<vf>(a, iy, ix, ch));
      for (int64_t ch = cv; ch < c; ++ch) out[ch] = dw_grad_pixel<float>(a, iy, ix, ch);
    }
}

void dw_backward_data(const DwArgs& a) {
  if (a.kh > 64 || a.kh * a.kw > 256) return dw_backward_data_gather(a);
  static constexpr DwBwdTiles plain = dw_bwd_table<false>(std::make_integer_sequence<int, kDwPix>{});
  static constexpr DwBwdTiles streamed = dw_bwd_table<true>(std::make_integer_sequence<int, kDwPix>{});
  const bool staged = dw_staged(a), stream = a.stream && !staged;
  ScratchScope scratch;
  const DwRowSink sink{a.y, a.w * a.c, staged ? scratch.alloc_floats(a.w * a.c) : nullptr, a.stream};
  const DwBwdTiles& tiles = stream ? streamed : plain;
  const int64_t c = a.c, s = a.stride, d = a.dilation, pad = a.pad;
  constexpr int kMaxTaps = 256;
  const float* row_src[kMaxTaps];  // dy row start of each tap (column 0)
  const float* wts[kMaxTaps];
  const float* src[kMaxTaps];
  int64_t off[kMaxTaps];
  for (int64_t iy = a.row_begin; iy < a.row_end; ++iy) {
    float* dxrow = sink.row(iy);
    // Kernel rows that reach dx row iy, and their dy rows.
    int kys[64], nky = 0;
    const float* dyrow[64];
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t ny = iy + pad - int64_t{ky} * d;
      if (ny < 0 || ny % s || ny / s >= a.oh) continue;
      kys[nky] = ky;
      dyrow[nky++] = a.dy + (ny / s) * a.ow * c;
    }
    for (int64_t phi = 0; phi < std::min<int64_t>(s, a.w); ++phi) {
      const int64_t count = (a.w - phi + s - 1) / s;  // dx columns of this phase
      // Taps of this phase; dy column of tile pixel k is k + off.
      int taps = 0;
      int64_t klo = 0, khi = count;
      for (int kx = 0; kx < a.kw; ++kx) {
        const int64_t nx = phi + pad - int64_t{kx} * d;
        if (floor_div(nx, s) * s != nx) continue;
        const int64_t o = nx / s;
        klo = std::max(klo, -o);
        khi = std::min(khi, a.ow - o);
        for (int j = 0; j < nky; ++j) {
          row_src[taps] = dyrow[j];
          wts[taps] = a.wt + (kys[j] * a.kw + kx) * c;
          off[taps++] = o;
        }
      }
      khi = std::max(klo, khi);
      float* out0 = dxrow + phi * c;
      const int64_t sc = s * c;
      // Pixels where some tap falls outside dy: only the taps that land.
      auto checked = [&](int64_t k) {
        const float* w2[kMaxTaps];
        int n = 0;
        for (int t = 0; t < taps; ++t) {
          const int64_t ox = k + off[t];
          if (ox < 0 || ox >= a.ow) continue;
          src[n] = row_src[t] + ox * c;
          w2[n++] = wts[t];
        }
        tiles.fn[1](src, w2, n, c, sc, out0 + k * sc);
      };
      for (int64_t k = 0; k < std::min(klo, count); ++k) checked(k);
      for_each_dw_span(klo, khi, [&](int64_t k, int np) {
        for (int t = 0; t < taps; ++t) src[t] = row_src[t] + (k + off[t]) * c;
        tiles.fn[np](src, wts, taps, c, sc, out0 + k * sc);
      });
      for (int64_t k = std::max(khi, klo); k < count; ++k) checked(k);
    }
    sink.done(iy);
  }
  if (a.stream) stream_fence();
}

// Weight gradient for a fixed kernel width KW and stride S (dilation 1),
// swept like the forward pass: per dy row, NP output pixels x all channels,
// so x and dy are read in memory order (a column-wise, channel-outer walk
// defeats the hardware prefetchers and was measured 2x slower). For each
// kernel row, the NP dy vectors and the (NP-1)*S+KW x vectors of the tile
// stay in registers and each tap's sum is loaded from and stored to the
// tap-major accumulator (L1/L2 resident) once per tile. xr[ky] is the x row
// of kernel row ky at the tile's first tap column, null outside the image.
// The sum order of every tap is fixed by the geometry alone.
template <typename T, int KW, int S, int NP>
__attribute__((always_inline)) inline void dw_bww_tile(const DwArgs& a, const float* const* xr, const float* g,
                                                       int64_t ch) {
  constexpr int kIn = (NP - 1) * S + KW;
  const int64_t c = a.c;
  T gv[NP];
#pragma GCC unroll 8
  for (int i = 0; i < NP; ++i) gv[i] = ld<T>(g + i * c + ch);
  for (int ky = 0; ky < a.kh; ++ky) {
    if (!xr[ky]) continue;
    T xv[kIn];
#pragma GCC unroll 32
    for (int j = 0; j < kIn; ++j) xv[j] = ld<T>(xr[ky] + j * c + ch);
    float* dwp = a.dwt + ky * KW * c + ch;
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      T acc = ld<T>(dwp + kx * c);
#pragma GCC unroll 8
      for (int i = 0; i < NP; ++i) acc += gv[i] * xv[i * S + kx];
      if constexpr (sizeof(T) == sizeof(float)) dwp[kx * c] = acc;
      else store(dwp + kx * c, acc);
    }
  }
}

template <int KW, int S, int NP>
void dw_bww_tiles(const DwArgs& a, const float* const* xr, const float* g) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t ch = 0; ch < cv; ch += kV) dw_bww_tile<vf, KW, S, NP>(a, xr, g, ch);
  for (int64_t ch = cv; ch < c; ++ch) dw_bww_tile<float, KW, S, NP>(a, xr, g, ch);
}

// dw_bww_tile for a tile whose first lz and last rz x columns are padding,
// read in place: those columns are zeros (the ring's sums, term for term).
// xrow[ky] is the x row of kernel row ky at column 0 (null outside the
// image), col0 the tile's first x column (may be negative).
template <typename T, int KW, int S, int NP>
__attribute__((always_inline)) inline void dw_bww_tile_edge(const DwArgs& a, const float* const* xrow, int64_t col0, int lz, int rz,
                             const float* g, int64_t ch) {
  constexpr int kIn = (NP - 1) * S + KW;
  const int64_t c = a.c;
  T gv[NP];
#pragma GCC unroll 8
  for (int i = 0; i < NP; ++i) gv[i] = ld<T>(g + i * c + ch);
  for (int ky = 0; ky < a.kh; ++ky) {
    if (!xrow[ky]) continue;
    T xv[kIn];
#pragma GCC unroll 32
    for (int j = 0; j < kIn; ++j) xv[j] = j >= lz && j < kIn - rz ? ld<T>(xrow[ky] + (col0 + j) * c + ch) : T{};
    float* dwp = a.dwt + ky * KW * c + ch;
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      T acc = ld<T>(dwp + kx * c);
#pragma GCC unroll 8
      for (int i = 0; i < NP; ++i) acc += gv[i] * xv[i * S + kx];
      st<T>(dwp + kx * c, acc);
    }
  }
}

template <int KW, int S, int NP>
void dw_bww_tiles_edge(const DwArgs& a, const float* const* xrow, int64_t col0, int lz, int rz, const float* g) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t ch = 0; ch < cv; ch += kV) dw_bww_tile_edge<vf, KW, S, NP>(a, xrow, col0, lz, rz, g, ch);
  for (int64_t ch = cv; ch < c; ++ch) dw_bww_tile_edge<float, KW, S, NP>(a, xrow, col0, lz, rz, g, ch);
}

using DwBwwFn = void (*)(const DwArgs&, const float* const*, const float*);
using DwBwwEdgeFn = void (*)(const DwArgs&, const float* const*, int64_t, int, int, const float*);

struct DwBwwTiles {
  DwBwwFn fn[kDwPix + 1];  // index NP = 1..kDwPix
  DwBwwEdgeFn edge[kDwPix + 1];
};

template <int KW, int S, int... Ns>
constexpr DwBwwTiles dw_bww_table(std::integer_sequence<int, Ns...>) {
  return {{nullptr, &dw_bww_tiles<KW, S, Ns + 1>...}, {nullptr, &dw_bww_tiles_edge<KW, S, Ns + 1>...}};
}

template <int KW, int S>
void dw_backward_weights_fixed(const DwArgs& a) {
  static constexpr auto tiles = dw_bww_table<KW, S>(std::make_integer_sequence<int, kDwPix>{});
  const int64_t c = a.c;
  const float* xrow[64];
  const float* xr[64];
  // Batches from memory: x rows are copied (sequential reads, which the
  // prefetchers follow better than the tiles' order) into a ring of kh
  // zero-padded rows (transformed on the way when DwArgs::xform is set), dy
  // rows through a row buffer. Cached images are read in place, with edge tiles whose
  // padding columns are zero vectors (a ring's copies were 15-27% of the
  // time of 14x14 and 28x28 images; checked border pixels cost several
  // times a tile pixel). Either way every column takes a tile and the pad
  // columns add exact zeros: the same sums, term for term.
  const int64_t wp = (a.ow - 1) * S + KW;  // padded ring row, pixels
  const int64_t j0 = std::min<int64_t>(a.pad, wp), j1 = std::clamp<int64_t>(a.pad + a.w, j0, wp);
  const bool use_ring = dw_weights_uses_ring(a);
  const int64_t tiles_per_row = (a.ow + kDwPix - 1) / kDwPix;
  ScratchScope scratch;
  float* ring = nullptr;
  float* gbuf = nullptr;
  if (use_ring) {
    ring = scratch.alloc_floats(a.kh * wp * c);
    for (int r = 0; r < a.kh; ++r) {  // the pad columns stay zero
      std::memset(ring + r * wp * c, 0, sizeof(float) * j0 * c);
      std::memset(ring + (r * wp + j1) * c, 0, sizeof(float) * (wp - j1) * c);
    }
    gbuf = scratch.alloc_floats(a.ow * c);
  }
  int64_t next = a.row_begin * S - a.pad;  // next x row to copy
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    const float* g = a.dy + oy * a.ow * c;
    const int64_t base = oy * S - a.pad;
    DwRowPrefetch ahead;
    if (a.prefetch && !use_ring && oy + 1 < a.row_end) {
      dw_rows_ahead(a.x, a.h, a.w * c, base + a.kh, base + S + a.kh, &ahead.p[0], &ahead.n[0]);
      ahead.p[1] = a.dy + (oy + 1) * a.ow * c;
      ahead.n[1] = a.ow * c;
      ahead.tiles = tiles_per_row;
    }
    int64_t tile_k = 0;
    if (use_ring) {
      for (next = std::max(next, base); next < base + a.kh; ++next)
        if (next >= 0 && next < a.h) {
          float* dst = ring + ((next % a.kh) * wp + j0) * c;
          if (a.xform) a.xform(a.xform_ctx, a.x + next * a.w * c, j1 - j0, dst);
          else std::memcpy(dst, a.x + next * a.w * c, sizeof(float) * (j1 - j0) * c);
        }
      // Transforming: the rows the next output row adds are fetched into L1
      // while this row's tiles run, so the transform reads them from cache
      // (measured at 128x28x28x144, 3x3 stride 1: the transformed backward
      // 1.15x the plain one without this, 1.04-1.09x with it; fetched to
      // L2 only, stride 2 stayed at 1.22x instead of 1.10x; the plain memcpy
      // ring gains under 2%, so it is left as it was).
      if (a.xform)
        for (int64_t r = std::max<int64_t>(base + a.kh, 0); r < std::min<int64_t>(base + S + a.kh, a.h); ++r)
          for (int64_t f = 0, n = (j1 - j0) * c; f < n; f += 64 / sizeof(float))
            __builtin_prefetch(a.x + r * a.w * c + f, 0, 3);
      std::memcpy(gbuf, g, sizeof(float) * a.ow * c);
      g = gbuf;
      for (int ky = 0; ky < a.kh; ++ky) {
        const int64_t iy = base + ky;
        xrow[ky] = iy >= 0 && iy < a.h ? ring + (iy % a.kh) * wp * c : nullptr;
      }
      for_each_dw_span(0, a.ow, [&](int64_t ox, int np) {
        for (int ky = 0; ky < a.kh; ++ky) xr[ky] = xrow[ky] ? xrow[ky] + ox * S * c : nullptr;
        tiles.fn[np](a, xr, g + ox * c);
      });
      continue;
    }
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t iy = base + ky;
      xrow[ky] = iy >= 0 && iy < a.h ? a.x + iy * a.w * c : nullptr;
    }
    for_each_dw_span(0, a.ow, [&](int64_t ox, int np) {
      ahead.part(tile_k++);
      const int64_t col0 = ox * S - a.pad, n_in = (np - 1) * S + KW;
      const int64_t lz = std::clamp<int64_t>(-col0, 0, n_in), rz = std::clamp<int64_t>(col0 + n_in - a.w, 0, n_in);
      if (lz == 0 && rz == 0) {
        for (int ky = 0; ky < a.kh; ++ky) xr[ky] = xrow[ky] ? xrow[ky] + col0 * c : nullptr;
        tiles.fn[np](a, xr, g + ox * c);
      } else {
        tiles.edge[np](a, xrow, col0, static_cast<int>(lz), static_cast<int>(rz), g + ox * c);
      }
    });
  }
}

// Weight gradient for a wide fixed kernel (7 columns where the tile sweep
// above has no tiles; at stride 1 the tile sweep was measured 1.4-1.6x
// faster, although its 49*c tap sums live in L2, not L1): per output row, kernel
// row and channel vector, the KW tap sums stay in registers while the row is
// swept once (each dy vector is loaded once for all KW taps). Columns where
// some tap falls into the padding are added per tap, with their own ranges.
template <int KW>
void dw_backward_weights_rows(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV, s = a.stride, d = a.dilation;
  int64_t lo[KW], hi[KW];
  for (int kx = 0; kx < KW; ++kx) valid_range(a.w, a.ow, a.stride, a.pad, kx * d, &lo[kx], &hi[kx]);
  int64_t xl = 0, xh = a.ow;
  for (int kx = 0; kx < KW; ++kx) {
    xl = std::max(xl, lo[kx]);
    xh = std::min(xh, hi[kx]);
  }
  xh = std::max(xl, xh);
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    const float* grow = a.dy + oy * a.ow * c;
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t iy = oy * s - a.pad + int64_t{ky} * d;
      if (iy < 0 || iy >= a.h) continue;
      const float* xrow = a.x + iy * a.w * c;
      float* dwp = a.dwt + ky * KW * c;
      for (int64_t ch = 0; ch < cv; ch += kV) {
        vf acc[KW];
#pragma GCC unroll 8
        for (int kx = 0; kx < KW; ++kx) acc[kx] = vf{};
        for (int64_t ox = xl; ox < xh; ++ox) {
          const vf g = load(grow + ox * c + ch);
          const float* xp = xrow + (ox * s - a.pad) * c + ch;
#pragma GCC unroll 8
          for (int kx = 0; kx < KW; ++kx) acc[kx] += g * load(xp + kx * d * c);
        }
        for (int kx = 0; kx < KW; ++kx) {
          for (int64_t ox = lo[kx]; ox < std::min(xl, hi[kx]); ++ox)
            acc[kx] += load(grow + ox * c + ch) * load(xrow + (ox * s - a.pad + kx * d) * c + ch);
          for (int64_t ox = std::max(xh, lo[kx]); ox < hi[kx]; ++ox)
            acc[kx] += load(grow + ox * c + ch) * load(xrow + (ox * s - a.pad + kx * d) * c + ch);
          store(dwp + kx * c + ch, load(dwp + kx * c + ch) + acc[kx]);
        }
      }
      for (int64_t ch = cv; ch < c; ++ch)
        for (int kx = 0; kx < KW; ++kx) {
          float acc = 0;
          for (int64_t ox = lo[kx]; ox < hi[kx]; ++ox)
            acc += grow[ox * c + ch] * xrow[(ox * s - a.pad + kx * d) * c + ch];
          dwp[kx * c + ch] += acc;
        }
    }
  }
}

void dw_backward_weights_generic(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  const int64_t sx = int64_t{a.stride} * c;
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    const float* grow = a.dy + oy * a.ow * c;
    for (int ky = 0; ky < a.kh; ++ky) {
      const int64_t iy = oy * a.stride - a.pad + int64_t{ky} * a.dilation;
      if (iy < 0 || iy >= a.h) continue;
      for (int kx = 0; kx < a.kw; ++kx) {
        int64_t lo, hi;
        valid_range(a.w, a.ow, a.stride, a.pad, int64_t{kx} * a.dilation, &lo, &hi);
        if (lo >= hi) continue;
        const float* xrow = a.x + iy * a.w * c + (lo * a.stride - a.pad + int64_t{kx} * a.dilation) * c;
        float* dwp = a.dwt + (ky * a.kw + kx) * c;
        const int64_t cnt = hi - lo;
        for (int64_t ch = 0; ch < cv; ch += kV) {
          vf acc0{}, acc1{};
          const float* g = grow + lo * c + ch;
          const float* xp = xrow + ch;
          int64_t i = 0;
          for (; i + 2 <= cnt; i += 2) {
            acc0 += load(g + i * c) * load(xp + i * sx);
            acc1 += load(g + (i + 1) * c) * load(xp + (i + 1) * sx);
          }
          if (i < cnt) acc0 += load(g + i * c) * load(xp + i * sx);
          store(dwp + ch, load(dwp + ch) + (acc0 + acc1));
        }
        for (int64_t ch = cv; ch < c; ++ch) {
          float acc = 0;
          for (int64_t i = 0; i < cnt; ++i) acc += grow[(lo + i) * c + ch] * xrow[i * sx + ch];
          dwp[ch] += acc;
        }
      }
    }
  }
}

// Only the fixed tiles' ring transforms its input (DwArgs::xform).
void dw_backward_weights(const DwArgs& a) {
  if (dw_weights_fixed(a)) {
    if (a.stride == 1) {
      if (a.kw == 3) return dw_backward_weights_fixed<3, 1>(a);
      if (a.kw == 5) return dw_backward_weights_fixed<5, 1>(a);
      if (a.kw == 7) return dw_backward_weights_fixed<7, 1>(a);
    } else if (a.stride == 2) {
      if (a.kw == 3) return dw_backward_weights_fixed<3, 2>(a);
      if (a.kw == 5) return dw_backward_weights_fixed<5, 2>(a);
    }
  }
  if (a.kw == 7) return dw_backward_weights_rows<7>(a);
  dw_backward_weights_generic(a);
}
