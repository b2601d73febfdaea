#include "nas/train/data/augment.h"

#include <algorithm>

namespace nas::train {

void flip_horizontal(float* image, int64_t h, int64_t w, int64_t c) {
  for (int64_t y = 0; y < h; ++y) {
    float* row = image + y * w * c;
    for (int64_t x = 0; x < w / 2; ++x) {
      float* a = row + x * c;
      float* b = row + (w - 1 - x) * c;
      std::swap_ranges(a, a + c, b);
    }
  }
}

void augment_image(const AugmentOptions& o, const float* src, int64_t h, int64_t w, int64_t c,
                   float* dst, Rng& rng) {
  NAS_CHECK(o.crop_padding >= 0);
  const int64_t row = w * c;
  if (o.crop_padding > 0) {
    const int64_t p = o.crop_padding;
    const int64_t dy = static_cast<int64_t>(rng.uniform_int(2 * p + 1)) - p;
    const int64_t dx = static_cast<int64_t>(rng.uniform_int(2 * p + 1)) - p;
    // dst(y, x) = src(y + dy, x + dx), zero outside.
    const int64_t x_begin = std::clamp<int64_t>(-dx, 0, w);
    const int64_t x_end = std::clamp<int64_t>(w - dx, 0, w);
    for (int64_t y = 0; y < h; ++y) {
      float* out = dst + y * row;
      const int64_t sy = y + dy;
      if (sy < 0 || sy >= h || x_begin >= x_end) {
        std::fill(out, out + row, 0.0f);
        continue;
      }
      std::fill(out, out + x_begin * c, 0.0f);
      std::copy(src + sy * row + (x_begin + dx) * c, src + sy * row + (x_end + dx) * c,
                out + x_begin * c);
      std::fill(out + x_end * c, out + row, 0.0f);
    }
  } else {
    std::copy(src, src + h * row, dst);
  }
  if (o.horizontal_flip && (rng.next_u64() >> 63) != 0) flip_horizontal(dst, h, w, c);
}

}  // namespace nas::train
