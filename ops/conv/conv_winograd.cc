// Winograd F(2x2,3x3) (Lavin & Gray): each 4x4 input patch becomes 16
// transformed planes, a 3x3 kernel becomes 16 transformed matrices, and the
// 16 products V[xi] (tiles x in_c) * U[xi] (in_c x out_c) run on the conv tile
// kernel; 2.25x fewer multiplies than direct. Tiles are processed in blocks
// small enough for V and M to stay in L2. Backward-data is a stride-1 3x3
// conv of the padded dy with rotated, transposed weights, so it reuses the
// forward; backward-weights uses the direct implicit GEMM.
#include <algorithm>

#include "ops/conv/conv_algorithms.h"
#include "ops/conv/conv_common.h"
#include "ops/conv/conv_scratch.h"
#include "ops/core/parallel.h"
#include "ops/kernels/conv/conv_kernels.h"

namespace nas::ops::conv_detail {
namespace {

using kernels::ConvKernels;

bool applies(const ConvParams& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride == 1 && p.dilation == 1 &&
         p.groups == 1 && p.pad <= 2;
}

// U[cob][xi][ci][nr] = (G g G^T)[xi] for g = w[cob*nr + j][.][.][ci].
void transform_weights(const ConvParams& q, const float* w, int nr, float* u) {
  const int64_t cin = q.in_c, cout = q.out_c, ncob = (cout + nr - 1) / nr;
  parallel_for(ncob, 1, [&](int64_t b, int64_t e) {
    for (int64_t cob = b; cob < e; ++cob)
      for (int j = 0; j < nr; ++j) {
        const int64_t co = cob * nr + j;
        for (int64_t ci = 0; ci < cin; ++ci) {
          float out[16] = {};
          if (co < cout) {
            float g[3][3], r[4][3];
            for (int y = 0; y < 3; ++y)
              for (int x = 0; x < 3; ++x) g[y][x] = w[((co * 3 + y) * 3 + x) * cin + ci];
            for (int x = 0; x < 3; ++x) {
              r[0][x] = g[0][x];
              r[1][x] = 0.5f * (g[0][x] + g[1][x] + g[2][x]);
              r[2][x] = 0.5f * (g[0][x] - g[1][x] + g[2][x]);
              r[3][x] = g[2][x];
            }
            for (int y = 0; y < 4; ++y) {
              out[y * 4 + 0] = r[y][0];
              out[y * 4 + 1] = 0.5f * (r[y][0] + r[y][1] + r[y][2]);
              out[y * 4 + 2] = 0.5f * (r[y][0] - r[y][1] + r[y][2]);
              out[y * 4 + 3] = r[y][2];
            }
          }
          for (int xi = 0; xi < 16; ++xi) u[((cob * 16 + xi) * cin + ci) * nr + j] = out[xi];
        }
      }
  });
}

// Forward of q (3x3, stride 1, pad 0) over inputs padded by `pad`; `w` OHWI.
void winograd_run(const ConvParams& q, PadSpec pad, const float* src, int64_t src_image_floats,
                  const float* w, float* y) {
  const ConvKernels& K = kernels::conv_kernels();
  const int64_t cin = q.in_c, cout = q.out_c, oh = q.out_h(), ow = q.out_w();
  const int64_t th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles = th * tw;
  pad.dst_h = 2 * th + 2;  // whole tiles: extra zero rows/columns at the end
  pad.dst_w = 2 * tw + 2;
  const int64_t wp = pad.dst_w, ncob = (cout + K.nr - 1) / K.nr;
  // Tile block: V and M together within ~512 KiB, a multiple of the tile rows,
  // and small enough to give every thread work when images run in turn.
  int64_t tb = std::max<int64_t>(K.mr, (512 * 1024 / 4) / (16 * (cin + cout)) / K.mr * K.mr);
  if (q.batch < num_threads())
    tb = std::min(tb, ((tiles + 2 * num_threads() - 1) / (2 * num_threads()) + K.mr - 1) / K.mr * K.mr);
  tb = std::min(tb, tiles);
  const int64_t blocks = (tiles + tb - 1) / tb;

  ScratchScope scratch;
  float* u = scratch.alloc_floats(ncob * 16 * cin * K.nr);
  transform_weights(q, w, K.nr, u);
  for_each_image(q.batch, blocks, pad, src, src_image_floats,
                 [&](int64_t n, const float* img, int64_t bb, int64_t be) {
    ScratchScope s;
    float* v = s.alloc_floats(16 * tb * cin);
    float* m = s.alloc_floats(16 * tb * cout);
    int64_t* in_org = alloc_i64(s, tb);
    int64_t* out_org = alloc_i64(s, tb);
    auto* rows = reinterpret_cast<uint8_t*>(s.alloc_floats(tb));
    auto* cols = reinterpret_cast<uint8_t*>(s.alloc_floats(tb));
    float* yimg = y + n * oh * ow * cout;
    for (int64_t blk = bb; blk < be; ++blk) {
      const int64_t t0 = blk * tb, cnt = std::min(tb, tiles - t0);
      for (int64_t i = 0; i < cnt; ++i) {
        const int64_t ty = (t0 + i) / tw, tx = (t0 + i) % tw;
        in_org[i] = (2 * ty * wp + 2 * tx) * cin;
        out_org[i] = (2 * ty * ow + 2 * tx) * cout;
        rows[i] = static_cast<uint8_t>(std::min<int64_t>(2, oh - 2 * ty));
        cols[i] = static_cast<uint8_t>(std::min<int64_t>(2, ow - 2 * tx));
      }
      kernels::WinoInArgs in;
      in.x = img; in.x_row = wp * cin; in.c = cin; in.origin = in_org; in.tiles = cnt;
      in.v = v; in.v_plane = cnt * cin;
      K.wino_input(in);
      for (int xi = 0; xi < 16; ++xi) wino_point_product(16, xi, v, cnt, cin, u, cout, m);
      kernels::WinoOutArgs out;
      out.m = m; out.m_plane = cnt * cout; out.c = cout; out.origin = out_org;
      out.rows = rows; out.cols = cols; out.tiles = cnt; out.y = yimg; out.y_row = ow * cout;
      K.wino_output(out);
    }
  });
}

// Winograd reports its rows at the end (not a training hot path: the
// autotuner picks it for no BN-feeding shape measured).
void forward(const ConvParams& p, const float* x, const float* w, float* y,
             RowBlockObserver* observer) {
  ConvParams q = p;
  q.in_h += 2 * p.pad;
  q.in_w += 2 * p.pad;
  q.pad = 0;
  PadSpec pad;
  pad.src_h = p.in_h;
  pad.src_w = p.in_w;
  pad.c = p.in_c;
  pad.top = pad.left = p.pad;
  winograd_run(q, pad, x, p.in_h * p.in_w * p.in_c, w, y);
  if (observer != nullptr) observer->report_all();
}

void backward_data(const ConvParams& p, const float* dy, const float* w, float* dx,
                   RowBlockObserver* observer) {
  const TransposedConv t = transposed_conv(p);
  ScratchScope scratch;
  float* wt = scratch.alloc_floats(p.weight_numel());
  flip_transpose_weights(p, w, wt);
  winograd_run(t.params, t.pad, dy, p.out_h() * p.out_w() * p.out_c, wt, dx);
  if (observer != nullptr) observer->report_all();
}

void backward_weights(const ConvParams& p, const float* x, const float* dy, float* dw) {
  direct_algo().backward_weights(p, x, dy, dw);
}

}  // namespace

ConvAlgoImpl winograd_algo() {
  return {ConvAlgo::kWinograd, &applies, &forward, &backward_data, &backward_weights};
}

}  // namespace nas::ops::conv_detail
