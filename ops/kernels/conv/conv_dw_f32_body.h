// Depthwise part of the conv micro-kernel body (see conv_f32_impl.h, which
// includes it inside its per-ISA anonymous namespace, after vf/load/store/
// stream_store are defined). Kept in its own file so that the depthwise
// kernels and the dense tile / Winograd kernels can change independently.
// No header guard: included once per ISA translation unit.

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

// Depthwise forward works from a ring of zero-padded input rows (one row
// copied per new input row), so every output pixel takes the same unchecked
// path: NP outputs x one channel vector per register tile. rows[ky] points at
// the padded input row of kernel row ky, at the tile's first column.

// Fixed kernel width and stride, dilation 1: each kernel row's input vectors
// are loaded once and reused by every kx tap.
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
      const float* xp = rows[ky] + ch;
      vf in[kIn];
#pragma GCC unroll 32
      for (int j = 0; j < kIn; ++j) in[j] = load(xp + j * c);
      const float* wp = a.wt + ky * KW * c + ch;
#pragma GCC unroll 8
      for (int kx = 0; kx < KW; ++kx) {
        const vf wv = load(wp + kx * c);
#pragma GCC unroll 8
        for (int i = 0; i < NP; ++i) acc[i] += in[i * S + kx] * wv;
      }
    }
    if (a.stream && (reinterpret_cast<uintptr_t>(out + ch) | (c * sizeof(float))) % sizeof(vf) == 0) {
#pragma GCC unroll 8
      for (int i = 0; i < NP; ++i) stream_store(out + i * c + ch, acc[i]);
    } else {
#pragma GCC unroll 8
      for (int i = 0; i < NP; ++i) store(out + i * c + ch, acc[i]);
    }
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

// Splits [begin, end) into ceil(n / kDwPix) tiles of near-equal width (14
// pixels become 7 + 7 rather than 8 + 4 + 1 + 1) and calls run(fn, ox, np).
template <typename Run>
void for_each_dw_tile(const DwTiles& tiles, int64_t begin, int64_t end, Run run) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int64_t t = (n + kDwPix - 1) / kDwPix, small = n / t, big_count = n % t;
  int64_t ox = begin;
  for (int64_t i = 0; i < t; ++i) {
    const int np = static_cast<int>(small + (i < big_count ? 1 : 0));
    run(tiles.fn[np], ox, np);
    ox += np;
  }
}

// Wide rows (beyond L1): copying each input row into a padded ring would
// double the memory traffic of this bandwidth-bound op, so tiles whose taps
// all fall inside the row read the input in place (rows above or below the
// image read a zero row) and the few border pixels take the checked path.
void dw_forward_in_place(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  int64_t in_lo, in_hi, lo_last, hi_last;
  valid_range(a.w, a.ow, a.stride, a.pad, 0, &in_lo, &in_hi);
  valid_range(a.w, a.ow, a.stride, a.pad, int64_t{a.kw - 1} * a.dilation, &lo_last, &hi_last);
  const int64_t x_lo = std::max(in_lo, lo_last), x_hi = std::max(x_lo, std::min(in_hi, hi_last));
  const int64_t zero_floats = ((kDwPix - 1) * int64_t{a.stride} + int64_t{a.kw - 1} * a.dilation + 1) * c;
  ScratchScope scratch;  // the thread's reused arena: no allocation in steady state
  float* zeros = scratch.alloc_floats(zero_floats);  // only ever read
  std::memset(zeros, 0, sizeof(float) * zero_floats);
  const DwTiles tiles = make_dw_tiles(a, std::make_integer_sequence<int, kDwPix>{});
  const float* in_row[64];
  const float* rows[64];
  for (int64_t oy = a.row_begin; oy < a.row_end; ++oy) {
    float* yrow = a.y + oy * a.ow * c;
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
  }
}

void dw_forward_ring(const DwArgs& a);

void dw_forward(const DwArgs& a) {
  if (a.w * a.c * int64_t{sizeof(float)} > (int64_t{32} << 10))
    dw_forward_in_place(a);
  else
    dw_forward_ring(a);
  if (a.stream) stream_fence();
}

void dw_forward_ring(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  const int64_t span = int64_t{a.kh - 1} * a.dilation + 1;  // input rows one output row reads
  const int64_t wp = (a.ow - 1) * a.stride + int64_t{a.kw - 1} * a.dilation + 1;
  const int64_t first = a.row_begin * a.stride - a.pad;  // first input row needed
  // Ring of `span` padded rows (span * wp * c floats: small enough for L2)
  // from the thread's reused scratch arena.
  ScratchScope scratch;
  float* ring = scratch.alloc_floats(span * wp * c);
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
      std::memcpy(dst + j0 * c, src, sizeof(float) * (j1 - j0) * c);
      std::memset(dst + j1 * c, 0, sizeof(float) * (wp - j1) * c);
    }
    float* yrow = a.y + oy * a.ow * c;
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

void dw_backward_data(const DwArgs& a) {
  const int64_t c = a.c, cv = c / kV * kV;
  for (int64_t iy = a.row_begin; iy < a.row_end; ++iy)
    for (int64_t ix = 0; ix < a.w; ++ix) {
      float* out = a.y + (iy * a.w + ix) * c;
      for (int64_t ch = 0; ch < cv; ch += kV) store(out + ch, dw_grad_pixel<vf>(a, iy, ix, ch));
      for (int64_t ch = cv; ch < c; ++ch) out[ch] = dw_grad_pixel<float>(a, iy, ix, ch);
    }
}

// Weight gradient for a fixed kernel width: per output row, kernel row and
// channel vector, the KW tap sums stay in registers while the row is swept
// once (each dy vector is loaded once for all KW taps). Columns where some
// tap falls into the padding are added per tap, with their own ranges.
template <int KW>
void dw_backward_weights_fixed(const DwArgs& a) {
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

void dw_backward_weights(const DwArgs& a) {
  switch (a.kw) {
    case 3: return dw_backward_weights_fixed<3>(a);
    case 5: return dw_backward_weights_fixed<5>(a);
    case 7: return dw_backward_weights_fixed<7>(a);
    default: return dw_backward_weights_generic(a);
  }
}

