#include "nas/train/data/resize.h"

#include <algorithm>
#include <vector>

#include "ops/core/parallel.h"

namespace nas::train {
namespace {

struct Tap {
  int64_t i0, i1;
  float w1;  // weight of i1; i0 gets 1 - w1
};

std::vector<Tap> taps(int64_t in, int64_t out) {
  std::vector<Tap> t(out);
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t o = 0; o < out; ++o) {
    const double src = std::max(0.0, (o + 0.5) * scale - 0.5);
    const int64_t i0 = std::min<int64_t>(static_cast<int64_t>(src), in - 1);
    const int64_t i1 = std::min<int64_t>(i0 + 1, in - 1);
    t[o] = {i0, i1, static_cast<float>(src - static_cast<double>(i0))};
  }
  return t;
}

}  // namespace

void resize_bilinear(const float* src, int64_t in_h, int64_t in_w, int64_t c, float* dst,
                     int64_t out_h, int64_t out_w) {
  NAS_CHECK(in_h > 0 && in_w > 0 && c > 0 && out_h > 0 && out_w > 0);
  const std::vector<Tap> ty = taps(in_h, out_h), tx = taps(in_w, out_w);
  for (int64_t y = 0; y < out_h; ++y) {
    const float* r0 = src + ty[y].i0 * in_w * c;
    const float* r1 = src + ty[y].i1 * in_w * c;
    const float wy = ty[y].w1;
    for (int64_t x = 0; x < out_w; ++x) {
      const int64_t a = tx[x].i0 * c, b = tx[x].i1 * c;
      const float wx = tx[x].w1;
      float* o = dst + (y * out_w + x) * c;
      for (int64_t k = 0; k < c; ++k) {
        const float top = r0[a + k] + wx * (r0[b + k] - r0[a + k]);
        const float bot = r1[a + k] + wx * (r1[b + k] - r1[a + k]);
        o[k] = top + wy * (bot - top);
      }
    }
  }
}

Dataset resize_dataset(const Dataset& data, int64_t height, int64_t width) {
  NAS_CHECK(height > 0 && width > 0);
  if (height == data.height && width == data.width) return data;
  Dataset out;
  out.name = data.name;
  out.channels = data.channels;
  out.num_classes = data.num_classes;
  out.labels = data.labels;
  out.height = height;
  out.width = width;
  out.images.assign(data.size() * out.image_numel(), 0.0f);
  ops::parallel_for(data.size(), 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      resize_bilinear(data.image(i), data.height, data.width, data.channels, out.image(i), height,
                      width);
  });
  return out;
}

void resize_batch(const ops::Tensor& images, const ops::Tensor& out) {
  const ops::Shape& in = images.shape();
  const ops::Shape& os = out.shape();
  NAS_CHECK(in.rank() == 4 && os.rank() == 4 && in[0] == os[0] && in[3] == os[3]);
  const int64_t in_size = in[1] * in[2] * in[3], out_size = os[1] * os[2] * os[3];
  ops::parallel_for(in[0], 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      resize_bilinear(images.data() + i * in_size, in[1], in[2], in[3], out.data() + i * out_size,
                      os[1], os[2]);
  });
}

}  // namespace nas::train
